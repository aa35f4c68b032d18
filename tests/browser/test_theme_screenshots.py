"""Issue 6 in a real browser: the product page of the mini shop under each theme, saved to
test-artifacts/product-<theme>.png, and the look really changes (colours, fonts, layout), with
no script error and nothing the content security policy blocks."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from storefront import PROJECT_ROOT, create_app
from storefront.extensions import db
from tests import shop_fixtures
from tests.browser.conftest import ARTIFACTS
from tests.conftest import make_test_environ
from tests.shop_fixtures import NOW

pytestmark = pytest.mark.browser

THEMES = ("default", "atelier")

STYLE = """() => {
  const header = getComputedStyle(document.querySelector('[data-testid="site-header"]'));
  const title = getComputedStyle(document.querySelector('[data-testid="product-title"]'));
  const gallery = document.querySelector('.product-page__gallery').getBoundingClientRect();
  const summary = document.querySelector('.product-page__summary').getBoundingClientRect();
  return {
    header: header.backgroundColor,
    titleFont: title.fontFamily,
    bodyFont: getComputedStyle(document.body).fontFamily,
    galleryShare: gallery.width / (gallery.width + summary.width),
  };
}"""


@pytest.fixture
def mini_shop(session):
    return shop_fixtures.build(session)


@pytest.fixture
def serve(app, app_context, tmp_path_factory):
    """``serve(theme)``: the shop with that theme on a loopback port, on the test database."""
    app.config["FROZEN_TIME"] = NOW
    running, made = [], []

    def start(theme: str) -> str:
        shop = app
        if theme != app.config["THEME"]:
            environ = make_test_environ(
                tmp_path_factory,
                THEME=theme,
                THEMES_DIR=str(PROJECT_ROOT / "themes"),
                DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            )
            shop = create_app(environ, FROZEN_TIME=NOW)
            made.append(shop)
        server = make_server("127.0.0.1", 0, shop, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in running:
        server.shutdown()
        thread.join(timeout=10)
    for shop in made:
        with shop.app_context():
            db.session.remove()
            db.engine.dispose()
    app.config.pop("FROZEN_TIME", None)


def test_the_product_page_under_each_theme(serve, browser_page, mini_shop):
    page = browser_page
    washer = mini_shop.washer
    looks = {}
    for theme in THEMES:
        page.goto(f"{serve(theme)}/p/{washer.id}/{washer.slug}")
        expect(
            page.get_by_test_id("buy-box").get_by_test_id("delivery-promise").first
        ).to_be_visible()
        looks[theme] = page.evaluate(STYLE)
        page.screenshot(path=str(ARTIFACTS / f"product-{theme}.png"), full_page=True)

    default, atelier = looks["default"], looks["atelier"]
    assert default["header"] == "rgb(255, 255, 255)"
    assert atelier["header"] == "rgb(43, 33, 27)"  # Atelier's dark header
    assert "serif" in atelier["titleFont"] and atelier["titleFont"] != default["titleFont"]
    assert atelier["bodyFont"] != default["bodyFont"]
    # Default: photo and summary half and half; Atelier: the photo takes three fifths.
    assert abs(default["galleryShare"] - 0.5) < 0.02
    assert abs(atelier["galleryShare"] - 0.6) < 0.02
    # What Atelier's templates add: the ribbon, the promise under the photo, its own footer.
    expect(page.get_by_test_id("atelier-ribbon")).to_be_visible()
    expect(page.get_by_test_id("atelier-promise")).to_be_visible()
    expect(page.locator(".atelier-footer")).to_be_visible()
