"""The page cache: same page for anonymous shoppers, their own CSRF token, nothing personal."""

import re

import pytest
from cachetools import TTLCache

from storefront.marketplace import catalog
from tests.conftest import RequestIsolatingClient
from tests.shop_fixtures import NOW


@pytest.fixture
def page_cache(app):
    app.config.update(PAGE_CACHE_SECONDS=60, FROZEN_TIME=NOW)
    app.extensions["page_cache"] = TTLCache(maxsize=100, ttl=60)
    yield app.extensions["page_cache"]
    app.config.update(PAGE_CACHE_SECONDS=0)
    app.config.pop("FROZEN_TIME", None)
    app.extensions["page_cache"] = TTLCache(maxsize=100, ttl=1)


def _token(html):
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_cached_page_gets_each_visitors_token(app, page_cache, mini_shop, session):
    url = f"/p/{mini_shop.washer.id}/{mini_shop.washer.slug}"
    first, second = RequestIsolatingClient(app), RequestIsolatingClient(app)
    a, b = first.get(url).text, second.get(url).text
    assert len(page_cache) == 1
    assert _token(a) != _token(b) and "__csrf_" not in a + b
    # The token from the cached page is valid for its visitor.
    response = first.post("/locale/en", headers={"X-CSRFToken": _token(a)})
    assert response.status_code == 302


def test_changes_show_after_the_cache_is_cleared(app, page_cache, mini_shop, session, client):
    url = f"/p/{mini_shop.washer.id}/{mini_shop.washer.slug}"
    assert "399,00" in client.get(url, headers={"Accept-Language": "fr"}).text
    catalog.upsert_offer(session, mini_shop.occaz, mini_shop.washer, "TO-WASH", price=38900, stock=1,
                         condition="REFURBISHED", lead_time_days=2)
    assert "399,00" in client.get(url, headers={"Accept-Language": "fr"}).text  # still cached
    page_cache.clear()
    assert "389,00" in client.get(url, headers={"Accept-Language": "fr"}).text


def test_variants_are_kept_apart(app, page_cache, mini_shop, client):
    url = f"/p/{mini_shop.washer.id}/{mini_shop.washer.slug}"
    french = client.get(url, headers={"Accept-Language": "fr"}).text
    english = client.get(url, headers={"Accept-Language": "en"}).text
    fragment = client.get(url, headers={"HX-Request": "true"}).text
    assert "Autres vendeurs" in french and "Other sellers" in english and "<html" not in fragment
    assert len(page_cache) == 3
