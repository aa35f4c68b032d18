"""Merchant themes (issue 6): lookup order, extending defaults, partials, static files, emails,
`flask theme …`, the generated reference, and what a theme cannot do.

Each theme under test is a folder in tmp_path and a second application created with
``THEME``/``THEMES_DIR``, on the test database (so the mini shop is there too).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import render_template, url_for
from markupsafe import escape

from storefront import PROJECT_ROOT, ConfigError, create_app
from storefront.extensions import db
from storefront.marketplace.models import Offer, User
from storefront.notifications.render import render_email
from storefront.themes.reference import BEGIN, END, Reference, documented_blocks
from tests import order_fixtures, shop_fixtures
from tests.checkout_fixtures import csrf_token
from tests.conftest import make_test_environ
from tests.email_fixtures import rendered_outbox
from tests.order_fixtures import place
from tests.shop_fixtures import NOW

THEMES = PROJECT_ROOT / "themes"
DOCS = PROJECT_ROOT / "docs" / "theming.md"
DELIVERY_PROMISE = "shop/partials/delivery_promise.html"


def write_theme(
    root: Path, key: str, files: dict[str, str] | None = None, *, parent: str = ""
) -> Path:
    """themes/<key>/ with a manifest and ``files`` ({"templates/x.html": text, "static/…": text})."""
    folder = root / key
    folder.mkdir(parents=True)
    (folder / "theme.toml").write_text(
        f'name = "{key.title()}"\nparent = "{parent}"\n', encoding="utf-8"
    )
    for relative, text in (files or {}).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def mini_shop(session):
    return shop_fixtures.build(session)


@pytest.fixture
def people(session):
    return order_fixtures.build_people(session)


@pytest.fixture
def themes_root(tmp_path) -> Path:
    root = tmp_path / "themes"
    root.mkdir()
    return root


@pytest.fixture
def themed(another_app):
    """``themed(themes_root, key, **config)``: an application with that theme, on the test
    database; disposed afterwards."""

    def make(themes_root: Path, key: str, **config):
        environ = {
            "THEME": key,
            "THEMES_DIR": str(themes_root),
            "MAIL_URL": "smtp://127.0.0.1:1",  # nothing listens there: no email leaves a test
        }
        return another_app(environ, FROZEN_TIME=NOW, **config)

    return make


@pytest.fixture
def error_log(caplog):
    """Records of storefront.errors (the migrations' logging setup disables existing loggers)."""
    logger = logging.getLogger("storefront.errors")
    disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.ERROR, logger=logger.name)
    yield caplog
    logger.disabled = disabled


def product_url(product) -> str:
    return f"/p/{product.id}/{product.slug}"


def fetch(client, url: str, **options):
    """GET ``url``, its body read and the file behind it closed (static files are streamed)."""
    with client.get(url, **options) as response:
        response.get_data()
    return response


def template_file(app, name: str) -> Path:
    with app.app_context():
        return Path(app.jinja_env.get_template(name).filename)


# --- Lookup order --------------------------------------------------------------------------------


def test_lookup_goes_theme_then_parent_then_default(themes_root, themed):
    parent = write_theme(
        themes_root,
        "maison",
        {
            f"templates/{DELIVERY_PROMISE}": "parent's promise",
            "templates/shop/partials/seller_badges.html": "parent's badges",
        },
    )
    child = write_theme(
        themes_root, "noel", {f"templates/{DELIVERY_PROMISE}": "child's promise"}, parent="maison"
    )
    shop = themed(themes_root, "noel")
    defaults = PROJECT_ROOT / "templates"

    assert template_file(shop, DELIVERY_PROMISE) == child / "templates" / DELIVERY_PROMISE
    assert (
        template_file(shop, "shop/partials/seller_badges.html")
        == parent / "templates/shop/partials/seller_badges.html"
    )
    assert (
        template_file(shop, "shop/partials/buy_box.html") == defaults / "shop/partials/buy_box.html"
    )
    # The prefixes: core/ is always the default, themes/<key>/ that theme's own file.
    assert template_file(shop, f"core/{DELIVERY_PROMISE}") == defaults / DELIVERY_PROMISE
    assert (
        template_file(shop, f"themes/maison/{DELIVERY_PROMISE}")
        == parent / "templates" / DELIVERY_PROMISE
    )
    assert shop.extensions["themes"].name == "Noel"


def test_a_theme_cannot_redefine_core(themes_root, themed):
    write_theme(
        themes_root,
        "sly",
        {"templates/core/base.html": "hijacked", "templates/themes/sly/base.html": "also"},
    )
    shop = themed(themes_root, "sly")
    assert template_file(shop, "core/base.html") == PROJECT_ROOT / "templates/base.html"
    with shop.app_context(), pytest.raises(Exception, match="themes/sly/base.html"):
        shop.jinja_env.get_template("themes/sly/base.html")


def test_the_default_theme_renders_the_default_templates(app):
    assert app.config["THEME"] == "default"
    assert template_file(app, "base.html") == PROJECT_ROOT / "templates/base.html"


# --- Extending the default, overriding a partial -------------------------------------------------


def test_a_theme_template_extends_the_default_and_overrides_one_block(
    themes_root, themed, mini_shop
):
    write_theme(
        themes_root,
        "bloc",
        {
            "templates/shop/product.html": (
                '{% extends "core/shop/product.html" %}\n'
                '{% block product_summary %}<p data-testid="themed-summary">{{ product.title }}</p>{{ super() }}{% endblock %}\n'
                "{% block product_sections %}{{ self.product_details() }}{{ self.other_offers() }}{% endblock %}\n"
            )
        },
    )
    shop = themed(themes_root, "bloc")
    page = shop.test_client().get(product_url(mini_shop.washer)).text

    assert f'<p data-testid="themed-summary">{mini_shop.washer.title}</p>' in page
    # Everything else is the default page: buy box, other sellers, details, the shop's layout.
    for testid in ("buy-box", "other-offers", "attributes", "site-header", "site-footer"):
        assert f'data-testid="{testid}"' in page
    # …with the two sections in the theme's order.
    assert page.index('data-testid="attributes"') < page.index('data-testid="other-offers"')


def test_the_default_product_page_keeps_its_order(client, mini_shop):
    page = client.get(product_url(mini_shop.washer)).text
    assert page.index('data-testid="other-offers"') < page.index('data-testid="attributes"')


def test_one_partial_override_shows_on_every_page_that_uses_it(themes_root, themed, mini_shop):
    write_theme(
        themes_root,
        "promesse",
        {
            f"templates/{DELIVERY_PROMISE}": (
                '<span class="delivery-promise" data-testid="delivery-promise">'
                "THEMED {{ option.promise.earliest.isoformat() }}</span>"
            )
        },
    )
    shop = themed(themes_root, "promesse")
    client = shop.test_client()
    washer = mini_shop.washer
    pages = {
        "product": product_url(washer),
        "category": f"/c/{washer.category.id}/{washer.category.slug}",
        "search": "/recherche?q=linge",
        "seller": f"/vendeur/{mini_shop.martin.slug}",
    }
    for label, url in pages.items():
        page = client.get(url).text
        promises = page.count('data-testid="delivery-promise"')
        assert promises > 0, label
        assert page.count("THEMED 2026-") == promises, label
    # htmx gets the same partials: another seller's offer swapped into the buy box.
    offer = mini_shop.offers["washer_martin"]
    fragment = client.get(
        f"{product_url(washer)}?offre={offer.id}", headers={"HX-Request": "true"}
    ).text
    assert fragment.lstrip().startswith('<section class="buy-box"') and "THEMED 2026-" in fragment


# --- Partials with blocks: a theme overrides a piece --------------------------------------------

# The partials merchants change most, and the blocks each offers for its pieces.
PARTIAL_BLOCKS = {
    "shop/partials/product_card.html": [
        "card_image", "card_brand", "card_title", "card_seller", "card_promise", "card_price",
        "card_condition", "card_offers", "card_unavailable",
    ],
    "shop/partials/buy_box.html": [
        "buy_box_price", "buy_box_condition", "buy_box_alternatives", "buy_box_seller", "buy_box_contact",
        "buy_box_delivery", "buy_box_add_to_cart", "buy_box_not_delivered", "buy_box_no_offer",
    ],
    "shop/partials/offer_row.html": [
        "offer_price", "offer_condition", "offer_seller", "offer_delivery", "offer_actions",
        "offer_choose", "offer_add_to_cart", "offer_contact",
    ],
    DELIVERY_PROMISE: ["promise_class", "promise_dates"],
    "cart/partials/shipment.html": [
        "shipment_title", "shipment_lines", "shipment_line", "shipment_delivery",
    ],
    "checkout/partials/order_shipment.html": [
        "shipment_title", "shipment_summary", "shipment_promise", "shipment_tracking",
        "shipment_lines", "shipment_line",
    ],
    "discussions/partials/message.html": [
        "message_meta", "message_author", "message_body", "message_forward",
    ],
}  # fmt: skip

CARD = re.compile(r'<article class="product-card".*?</article>', re.DOTALL)
CARD_PRICE = re.compile(r'<p class="product-card__price".*?</p>', re.DOTALL)


def test_the_partials_offer_their_pieces_as_described_blocks(app):
    reference = Reference.of(app)
    markdown = reference.markdown()
    for name, blocks in PARTIAL_BLOCKS.items():
        info = reference.templates[name]
        assert info.blocks == blocks, name
        described = documented_blocks(info.source)
        assert all(described.get(block) for block in blocks), name
        # The reference shows them with what goes in each, for a merchant to pick one.
        assert f"### Blocks of `{name}`" in markdown
        assert f"| `{blocks[0]}` | {described[blocks[0]]} |" in markdown
    assert set(PARTIAL_BLOCKS) <= set(reference.partials_with_blocks())


def test_every_block_of_a_partial_is_described(app):
    reference = Reference.of(app)
    for name in reference.partials_with_blocks():
        info = reference.templates[name]
        assert set(info.blocks) <= set(documented_blocks(info.source)), name


def test_overriding_one_block_of_a_partial_changes_only_that_piece(themes_root, themed, mini_shop):
    write_theme(
        themes_root,
        "prix",
        {
            "templates/shop/partials/product_card.html": (
                '{% extends "core/shop/partials/product_card.html" %}\n'
                '{% block card_price %}<p class="product-card__price" data-testid="price">'
                '<strong data-testid="themed-price">{{ best.offer.price|money(best.offer.currency) }}'
                "</strong></p>{% endblock %}\n"
            )
        },
    )
    washer = mini_shop.washer
    url = f"/c/{washer.category.id}/{washer.category.slug}"
    # (Both shops at the same frozen time: the promises agree.)
    default_cards = CARD.findall(themed(themes_root, "default").test_client().get(url).text)
    themed_cards = CARD.findall(themed(themes_root, "prix").test_client().get(url).text)

    assert default_cards and len(themed_cards) == len(default_cards)
    for before, after in zip(default_cards, themed_cards, strict=True):
        # Everything but the price is the default card, to the byte.
        assert CARD_PRICE.sub("", after) == CARD_PRICE.sub("", before)
        if (price := re.search(r'data-testid="themed-price">([^<]+)<', after)) is None:
            continue
        assert "product-card__price-old" not in after
        assert price.group(1) in CARD_PRICE.search(before).group(0)
    assert sum('data-testid="themed-price"' in card for card in themed_cards) == sum(
        "product-card__price" in card for card in default_cards
    )


def test_a_block_inside_a_loop_sees_the_loop_variable(themes_root, themed, mini_shop):
    write_theme(
        themes_root,
        "lignes",
        {
            "templates/cart/partials/shipment.html": (
                '{% extends "core/cart/partials/shipment.html" %}\n'
                '{% block shipment_line %}<li data-testid="themed-line">'
                "{{ item.product.title }} × {{ item.quantity }}</li>{% endblock %}\n"
            )
        },
    )
    client = themed(themes_root, "lignes").test_client()
    offer = mini_shop.offers["washer_martin"]
    response = client.post(
        "/panier/ajouter",
        data={"offer_id": offer.id, "quantity": 2, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    page = client.get("/panier/").text

    assert f'<li data-testid="themed-line">{escape(mini_shop.washer.title)} × 2</li>' in page
    assert 'data-testid="cart-line"' not in page
    # The other blocks of the shipment are the default's.
    assert 'data-shipper-code="martin"' in page and 'data-testid="choose-delivery"' in page


def test_the_atelier_promise_extends_the_default(themes_root, themed, mini_shop):
    source = (THEMES / "atelier/templates" / DELIVERY_PROMISE).read_text(encoding="utf-8")
    assert source.count('{% extends "core/shop/partials/delivery_promise.html" %}') == 1
    assert "option.promise" not in source  # the dates are the default's, by super()

    url = product_url(mini_shop.washer)
    default_dates = re.findall(
        r'<span class="delivery-promise" data-testid="delivery-promise"[^>]*>([^<]+)</span>',
        themed(themes_root, "default").test_client().get(url).text,
    )
    page = themed(THEMES, "atelier").test_client().get(url).text
    atelier_dates = re.findall(
        r'<span class="delivery-promise atelier-delivery" data-testid="delivery-promise"[^>]*>'
        r'\s*<svg class="atelier-delivery__icon"[^>]*><path[^>]*/></svg>([^<]+)</span>',
        page,
    )
    assert default_dates and atelier_dates == default_dates
    assert page.count('data-testid="delivery-promise"') == len(atelier_dates)


# --- Static files --------------------------------------------------------------------------------


def test_theme_static_files_come_first_with_versioned_urls(themes_root, themed):
    folder = write_theme(
        themes_root,
        "couleurs",
        {
            "static/css/shop.css": "/* the theme's shop.css */",
            "static/css/couleurs.css": "body { color: teal; }",
        },
    )
    shop = themed(themes_root, "couleurs")
    client = shop.test_client()

    assert fetch(client, "/static/css/shop.css").data == b"/* the theme's shop.css */"
    assert fetch(client, "/static/css/couleurs.css").data == b"body { color: teal; }"
    default_js = (PROJECT_ROOT / "static/js/shop.js").read_bytes()
    assert fetch(client, "/static/js/shop.js").data == default_js  # not in the theme: the default

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    css = folder / "static/css/shop.css"
    with shop.test_request_context():
        asset_url = shop.jinja_env.globals["asset_url"]
        assert asset_url("css/shop.css") == f"/static/css/shop.css?v={digest(css)}"
        assert (
            asset_url("js/shop.js")
            == f"/static/js/shop.js?v={digest(PROJECT_ROOT / 'static/js/shop.js')}"
        )
        css.write_text("/* changed */")
        os.utime(css, ns=(1, 1))  # a different mtime, whatever the clock's resolution
        assert asset_url("css/shop.css") == f"/static/css/shop.css?v={digest(css)}"
    # The pages link the versions, and a versioned URL may be cached for a year.
    page = client.get("/compte/connexion").text
    assert f'href="/static/css/shop.css?v={digest(css)}"' in page
    response = fetch(client, f"/static/css/shop.css?v={digest(css)}")
    assert response.cache_control.max_age == 31536000 and response.cache_control.immutable


@pytest.mark.parametrize(
    "path",
    [
        "/static/../theme.toml",
        "/static/../../storefront/settings.py",
        "/static/css/../../theme.toml",
        "/static/css/../css/shop.css",
        "/static/%2e%2e/theme.toml",
        "/static/css/..%2f..%2ftheme.toml",
        "/static/..\\theme.toml",
        "/static//etc/passwd",
    ],
)
def test_a_static_path_with_dot_dot_is_not_found(themes_root, themed, path):
    write_theme(themes_root, "couleurs", {"static/css/shop.css": "/* theme */"})
    # (Werkzeug first redirects "//" to "/": follow it.)
    response = fetch(themed(themes_root, "couleurs").test_client(), path, follow_redirects=True)
    assert response.status_code == 404
    assert b"name = " not in response.data and b"SECRET" not in response.data


# --- Emails ----------------------------------------------------------------------------------------


def test_emails_go_through_the_theme(themes_root, themed):
    write_theme(
        themes_root,
        "courrier",
        {
            "templates/emails/password_reset.html": (
                '{% extends "core/emails/password_reset.html" %}\n'
                '{% block content %}<p class="themed">Bonjour de Courrier</p>{{ super() }}{% endblock %}\n'
            ),
            "templates/emails/email_base.txt": (
                '{% extends "core/emails/email_base.txt" %}{% block footer %}Courrier, 1 rue du Port{% endblock %}'
            ),
        },
    )
    shop = themed(themes_root, "courrier")
    context = {
        "user_name": "<Zoé>",
        "reset_url": "https://shop.example/r?a=1&b=2",
        "expires_minutes": 30,
    }
    with shop.app_context():
        email = render_email("password_reset", context, "fr")
    assert '<p class="themed">Bonjour de Courrier</p>' in email.html
    assert (
        'href="https://shop.example/r?a=1&amp;b=2"' in email.html
    )  # the default's content, by super()
    assert "&lt;Zoé&gt;" in email.html and "<Zoé>" not in email.html  # still escaped
    assert "Courrier, 1 rue du Port" in email.text and "<Zoé>" in email.text  # text: as it is


def test_the_atelier_theme_overrides_the_order_confirmation(themed, people):
    atelier = themed(THEMES, "atelier")
    customer_id, offer_id = people.customer.id, people.shop.offers["alpha"].id
    with atelier.app_context():
        order = place(
            db.session, db.session.get(User, customer_id), (db.session.get(Offer, offer_id), 1)
        )
        (message,) = [m for m in rendered_outbox(db.session) if m.kind == "order_confirmation"]
        assert message.subject.startswith("Atelier · ") and order.number in message.subject
        assert 'data-testid="atelier-note"' in message.html_body
        assert "l&#39;atelier" in message.html_body  # escaped once in HTML…
        assert "par l'atelier ou par son vendeur" in message.text_body  # …and as it is in text
        assert message.text_body.count(order.number) >= 1  # the default's text, by super()
        assert (
            '<a class="brand" href="' in message.html_body and ">Atelier</a>" in message.html_body
        )


# --- Bad input -------------------------------------------------------------------------------------


def test_an_unknown_theme_stops_the_start_naming_the_themes_found(themes_root, tmp_path_factory):
    write_theme(themes_root, "atelier")
    write_theme(themes_root, "noel", parent="atelier")
    environ = make_test_environ(tmp_path_factory, THEME="atelir", THEMES_DIR=str(themes_root))
    with pytest.raises(ConfigError) as error:
        create_app(environ)
    assert str(error.value) == (
        f"THEME='atelir' is not a theme of {themes_root}; themes found: default, atelier, noel."
    )


def test_the_start_up_error_is_one_line(tmp_path):
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "STOREFRONT_ENV": "testing",
        "STOREFRONT_INSTANCE": str(tmp_path),
        "THEME": "nope",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"storefront: configuration error: THEME='nope' is not a theme of {THEMES}; "
        "themes found: default, atelier."
    ]


@pytest.mark.parametrize(
    "manifest, message",
    [
        ('name = "X"\nparent = "ghost"\n', "parent 'ghost' is not a theme of"),
        ("name = [", "is not valid TOML"),
        ('parent = "default"\n', "name is missing"),
        ('name = "X"\ncolour = "red"\n', "unknown key 'colour'"),
    ],
)
def test_a_broken_manifest_stops_the_start(themes_root, tmp_path_factory, manifest, message):
    folder = write_theme(themes_root, "casse")
    (folder / "theme.toml").write_text(manifest)
    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app(make_test_environ(tmp_path_factory, THEME="casse", THEMES_DIR=str(themes_root)))


def test_parents_that_loop_stop_the_start(themes_root, tmp_path_factory):
    write_theme(themes_root, "ping", parent="pong")
    write_theme(themes_root, "pong", parent="ping")
    with pytest.raises(ConfigError, match="the parents loop \\(ping → pong → ping\\)"):
        create_app(make_test_environ(tmp_path_factory, THEME="ping", THEMES_DIR=str(themes_root)))


BROKEN = {
    # A missing variable (a typo) in a partial of the product page and of every catalog page.
    f"templates/{DELIVERY_PROMISE}": (
        '{#- broken on purpose -#}\n<span class="delivery-promise">\n'
        "  {{ option.promise.earliest|short_day }}\n  {{ produt.title }}\n</span>\n"
    ),
    # A syntax error in the seller page.
    "templates/shop/seller.html": (
        '{% extends "core/shop/seller.html" %}\n{% block content %}\n'
        "{{ super() }}\n<p>{{ shop.name }</p>\n{% endblock %}\n"
    ),
}


def test_a_broken_theme_template_gives_that_page_the_error_page(
    themes_root, themed, mini_shop, error_log
):
    folder = write_theme(themes_root, "broken", BROKEN)
    client = themed(themes_root, "broken").test_client()

    response = client.get(product_url(mini_shop.washer))
    assert response.status_code == 500
    assert (
        'data-testid="error-page"' in response.text and 'data-testid="site-header"' in response.text
    )
    assert (
        f"template error at {folder / 'templates' / DELIVERY_PROMISE}:4: UndefinedError: 'produt' is undefined"
        in error_log.text
    )

    response = client.get(f"/vendeur/{mini_shop.martin.slug}")
    assert response.status_code == 500 and 'data-testid="error-page"' in response.text
    assert (
        f"template error at {folder / 'templates/shop/seller.html'}:4: unexpected '}}'"
        in error_log.text
    )

    # Every page that does not use them still works.
    assert client.get("/compte/connexion").status_code == 200
    assert client.get("/panier/").status_code == 200


def test_a_broken_base_layout_still_answers_with_a_bare_error_page(themes_root, themed, error_log):
    write_theme(
        themes_root,
        "sansbase",
        {
            "templates/base.html": (
                '{% extends "core/base.html" %}{% block footer %}{{ nope.attribute }}{% endblock %}'
            )
        },
    )
    response = themed(themes_root, "sansbase").test_client().get("/compte/connexion")
    assert response.status_code == 500
    assert 'data-testid="error-title"' in response.text and "site-header" not in response.text
    assert "the error page cannot render either" in error_log.text


# --- What a theme cannot do --------------------------------------------------------------------------


def test_a_theme_cannot_turn_off_csrf(themes_root, themed, error_log):
    write_theme(
        themes_root,
        "pirate",
        {
            "templates/base.html": (
                '{% extends "core/base.html" %}'
                "{% block footer %}{{ config.update(WTF_CSRF_ENABLED=False) }}{{ session.clear() }}{% endblock %}"
            )
        },
    )
    shop = themed(themes_root, "pirate")
    client = shop.test_client()
    response = client.get("/compte/connexion")
    assert response.status_code == 500 and "SecurityError" in error_log.text
    assert shop.config["WTF_CSRF_ENABLED"] is True
    assert client.post("/locale/en").status_code == 400  # still refused without its token


def test_the_content_security_policy_applies_to_theme_pages(themes_root, themed, mini_shop):
    write_theme(
        themes_root,
        "inline",
        {
            "templates/base.html": (
                '{% extends "core/base.html" %}{% block head %}<meta http-equiv="Content-Security-Policy" '
                'content="script-src *">{% endblock %}'
            )
        },
    )
    response = themed(themes_root, "inline").test_client().get(product_url(mini_shop.washer))
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith(
        "default-src 'self'; script-src 'self'"
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("{{ product.description|safe }}", "a theme cannot mark a value safe"),
        (
            "{% autoescape false %}{{ product.description }}{% endautoescape %}",
            "a theme cannot change autoescaping",
        ),
        ("{% filter safe %}{{ product.description }}{% endfilter %}", "a theme cannot mark"),
    ],
)
def test_a_theme_cannot_switch_autoescaping_off(
    themes_root, themed, mini_shop, error_log, text, message
):
    write_theme(
        themes_root,
        "brut",
        {
            "templates/shop/product.html": (
                '{% extends "core/shop/product.html" %}{% block product_details %}'
                + text
                + "{% endblock %}"
            )
        },
    )
    response = themed(themes_root, "brut").test_client().get(product_url(mini_shop.washer))
    assert response.status_code == 500 and message in error_log.text


def test_an_html_template_cannot_use_a_text_template(themes_root, themed, mini_shop, error_log):
    write_theme(
        themes_root,
        "detour",
        {
            # Macros of a text template are not escaped, and Jinja marks their output safe.
            "templates/raw.txt": "{% macro raw(value) %}{{ value }}{% endmacro %}",
            "templates/shop/product.html": (
                '{% extends "core/shop/product.html" %}{% import "raw.txt" as raw %}'
                "{% block product_details %}{{ raw.raw(product.description) }}{% endblock %}"
            ),
        },
    )
    response = themed(themes_root, "detour").test_client().get(product_url(mini_shop.washer))
    assert response.status_code == 500
    assert "shop/product.html escapes what it prints and raw.txt does not" in error_log.text


def test_theme_templates_are_escaped_like_the_defaults(themes_root, themed, mini_shop, session):
    mini_shop.washer.description = '<img src=x onerror="alert(1)">'
    session.commit()
    write_theme(
        themes_root,
        "echappe",
        {
            "templates/shop/product.html": (
                '{% extends "core/shop/product.html" %}'
                '{% block product_details %}<div data-testid="themed">{{ product.description }}</div>{% endblock %}'
            )
        },
    )
    page = themed(themes_root, "echappe").test_client().get(product_url(mini_shop.washer)).text
    assert '<div data-testid="themed">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</div>' in page


# --- flask theme check -----------------------------------------------------------------------------


def test_theme_check_passes_on_the_default_theme(app):
    result = app.test_cli_runner().invoke(args=["theme", "check"])
    assert result.exit_code == 0, result.output
    assert "Theme 'default': no template error." in result.output
    for email in ("order_confirmation (fr)", "order_confirmation (en)", "password_reset (en)"):
        assert email in result.output


def test_theme_check_passes_on_the_example_theme(app):
    result = app.test_cli_runner().invoke(args=["theme", "check", "--theme", "atelier"])
    assert result.exit_code == 0, result.output
    assert "Checking theme 'atelier' (atelier → default)" in result.output
    assert "Theme 'atelier': no template error." in result.output
    assert "warning" not in result.output


def test_theme_check_names_the_file_and_line_of_each_error(themes_root, themed):
    folder = write_theme(themes_root, "broken", BROKEN)
    (folder / "templates/shop/product.html").parent.mkdir(parents=True, exist_ok=True)
    (folder / "templates/shop/product.html").write_text(
        '{% extends "shop/product.html" %}\n'  # itself: should be core/shop/product.html
        '<link rel="stylesheet" href="{{ asset_url(\'css/missing.css\') }}">\n'
    )
    result = themed(themes_root, "broken").test_cli_runner().invoke(args=["theme", "check"])
    assert result.exit_code == 1, result.output
    templates = folder / "templates"
    assert f"{templates / 'shop/seller.html'}:4: unexpected '}}'" in result.output
    assert (
        f"{templates / DELIVERY_PROMISE}:4: UndefinedError: 'produt' is undefined" in result.output
    )
    assert (
        f"{templates / 'shop/product.html'}:1: shop/product.html refers to itself; "
        'extend "core/shop/product.html" instead'
    ) in result.output
    assert (
        f"{templates / 'shop/product.html'}:2: asset_url('css/missing.css'): no such file"
        in result.output
    )
    assert "Theme 'broken': " in result.output and "template error(s)." in result.output


def test_theme_check_of_an_unknown_theme_says_which_exist(app):
    result = app.test_cli_runner().invoke(args=["theme", "check", "--theme", "nope"])
    assert result.exit_code == 1
    assert (
        "THEME='nope' is not a theme of" in result.output
        and "themes found: default, atelier" in result.output
    )


# --- The other commands ----------------------------------------------------------------------------


def test_theme_new_makes_a_theme_that_works(themes_root, themed):
    shop = themed(themes_root, "default")
    result = shop.test_cli_runner().invoke(args=["theme", "new", "lumiere", "--name", "Lumière"])
    assert result.exit_code == 0, result.output
    folder = themes_root / "lumiere"
    assert (folder / "theme.toml").read_text().startswith('name = "Lumière"\nparent = "default"\n')
    assert (folder / "static/css/lumiere.css").is_file()

    page = themed(themes_root, "lumiere").test_client().get("/compte/connexion").text
    assert re.search(r'href="/static/css/lumiere\.css\?v=[0-9a-f]{12}"', page)

    again = shop.test_cli_runner().invoke(args=["theme", "new", "lumiere"])
    assert again.exit_code == 1 and "already exists" in again.output
    bad = shop.test_cli_runner().invoke(args=["theme", "new", "Pas Bien"])
    assert bad.exit_code == 2 and "cannot be a theme's key" in bad.output


def test_theme_override_copies_the_default_into_the_active_theme(themes_root, themed):
    write_theme(themes_root, "copie")
    runner = themed(themes_root, "copie").test_cli_runner()
    result = runner.invoke(args=["theme", "override", DELIVERY_PROMISE])
    assert result.exit_code == 0, result.output
    copied = themes_root / "copie/templates" / DELIVERY_PROMISE
    assert copied.read_text() == (PROJECT_ROOT / "templates" / DELIVERY_PROMISE).read_text()

    again = runner.invoke(args=["theme", "override", DELIVERY_PROMISE])
    assert again.exit_code == 1 and "exists already (--force replaces it)" in again.output

    extended = runner.invoke(args=["theme", "override", "shop/product.html", "--extend"])
    assert extended.exit_code == 0, extended.output
    text = (themes_root / "copie/templates/shop/product.html").read_text()
    assert '{% extends "core/shop/product.html" %}' in text
    assert "      product_gallery\n      product_summary\n" in text

    typo = runner.invoke(args=["theme", "override", "shop/partials/delivery_promis.html"])
    assert typo.exit_code == 1 and f"Did you mean {DELIVERY_PROMISE}" in typo.output


def test_theme_override_needs_a_theme(app):
    result = app.test_cli_runner().invoke(args=["theme", "override", DELIVERY_PROMISE])
    assert result.exit_code == 1 and "flask theme new NAME" in result.output


def test_theme_list_shows_the_themes_and_the_active_one(themed):
    result = themed(THEMES, "atelier").test_cli_runner().invoke(args=["theme", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[1].startswith("  default ")
    assert any(line.startswith("* atelier ") and "Atelier" in line for line in lines)


# --- docs/theming.md ---------------------------------------------------------------------------


def test_the_template_reference_is_up_to_date(app):
    """docs/theming.md's reference is generated from the templates: regenerate it with
    `flask --app app theme docs` when this fails."""
    document = DOCS.read_text(encoding="utf-8")
    committed = document[document.index(BEGIN) : document.index(END) + len(END)]
    assert committed == Reference.of(app).markdown(), "run `flask --app app theme docs`"


def test_every_block_of_the_layouts_is_described(app):
    reference = Reference.of(app)
    for layout in ("base.html", "emails/email_base.html"):
        info = reference.templates[layout]
        assert set(info.blocks) <= set(documented_blocks(info.source)), layout


def test_the_reference_lists_variables_and_users_of_partials(app):
    reference = Reference.of(app)
    assert reference.variables("shop/partials/offer_row.html") == {"product", "ranked"}
    assert "id_suffix" in reference.optional("shop/product.html")
    assert {"shop/partials/product_card.html", "shop/partials/delivery_options.html"} <= set(
        reference.used_by(DELIVERY_PROMISE)
    )


def test_render_template_sees_the_theme_in_a_request(themes_root, themed):
    write_theme(themes_root, "rendu", {"templates/errors/error.html": "themed error {{ status }}"})
    shop = themed(themes_root, "rendu")
    with shop.test_request_context():
        assert render_template("errors/error.html", status=418) == "themed error 418"
        assert url_for("static", filename="css/shop.css") == "/static/css/shop.css"
