"""Full-text search on SQLite FTS5 and PostgreSQL, fed the same folded text."""

import pytest

from storefront.marketplace import delivery, search


def _ids(session, query, **kwargs):
    return search.search(session, query, delivery.get_zone(session, "FR-MAIN"), **kwargs).product_ids


def test_words_accents_and_prefixes(session, mini_shop):
    assert _ids(session, "lave-linge bosch") == [mini_shop.washer.id]
    assert _ids(session, "SECHE linge") == [mini_shop.dryer.id]  # no accent typed
    assert _ids(session, "réfrigérateur") == [mini_shop.fridge.id]
    assert set(_ids(session, "lin")) == {mini_shop.washer.id, mini_shop.dryer.id}
    assert _ids(session, "silencieux") == [mini_shop.washer.id]  # description


def test_gtin(session, mini_shop):
    assert _ids(session, mini_shop.fridge.gtin) == [mini_shop.fridge.id]


@pytest.mark.parametrize(
    "query",
    ["", "   ", "'; DROP TABLE product; --", '"unbalanced', "NEAR(a b)", "<script>alert(1)</script>",
     "x" * 4000, "*", "AND OR NOT", "\x00\x01"],
)
def test_hostile_queries_are_harmless(session, mini_shop, query):
    result = search.search(session, query, delivery.get_zone(session, "FR-MAIN"))
    assert result.total >= 0
    assert search.suggest(session, query) is not None


def test_suggestions(session, mini_shop):
    titles = [title for _, title, _ in search.suggest(session, "lave")]
    assert titles == ["Lave-linge hublot Bosch Série 6 9 kg"]
    assert search.suggest(session, "l") == []


def test_sorted_results(session, mini_shop):
    assert _ids(session, "linge", sort="price_desc") == [mini_shop.dryer.id, mini_shop.washer.id]
