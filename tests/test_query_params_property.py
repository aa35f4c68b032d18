"""Numbers in URLs never crash a page: property tests over every public GET route.

``storefront.web.query_params`` is the one parser of numbers in query strings (its docstring
states the policy: anything not plain ASCII digits within the parameter's range is ignored).
Here Hypothesis throws floats (nan, inf, huge, tiny), big integers, exponent forms, other
scripts' digits and random text at every query parameter of every public page, and ids past
PostgreSQL's integer at every path parameter; no answer may be a 5xx (the test client re-raises
a view's exception, so a crash fails the test too).

``QUERY_PARAMETERS`` lists, per endpoint, the parameters it reads; a test checks that it covers
every GET route of the public blueprints and every name read through ``args.get`` in their code,
so a new parameter or page cannot slip past the property tests.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from storefront import PROJECT_ROOT
from storefront.marketplace import discussions
from storefront.marketplace.models import Category
from storefront.shop import facets
from storefront.web import query_params
from tests import order_fixtures
from tests.order_fixtures import Visitor

people = order_fixtures.people  # the fixture, for the signed-in pages

# Blueprints whose pages anyone (or a shopper, a seller) opens from a link; the back office is
# the operator's and has its own tests.
PUBLIC_BLUEPRINTS = (
    "shop", "cart", "checkout", "account", "discussions", "media", "seller", "onboarding",
)
FACET_PARAMETERS = (*sorted(facets.RESERVED - {"q"}), "colour", "capacity_kg_min", "capacity_kg_max")

# endpoint -> the query parameters it reads (facet codes of the test shop's categories included)
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "shop.home": (),
    "shop.category": FACET_PARAMETERS,
    "shop.search_page": ("q", "sort", "page"),
    "shop.suggestions": ("q",),
    "shop.product": ("offre",),
    "shop.seller": FACET_PARAMETERS,
    "shop.seller_ratings_page": ("page",),
    "cart.show": (),
    "cart.count": (),
    "checkout.start": (),
    "checkout.address": (),
    "checkout.delivery": (),
    "checkout.payment": (),
    "checkout.confirm_payment": (),
    "checkout.review": (),
    "checkout.confirmation": (),
    "checkout.guest_order": (),
    "checkout.orders": (),
    "checkout.order": (),
    "checkout.invoice": (),
    "checkout.guest_invoice": (),
    "checkout.credit_note": (),
    "checkout.guest_credit_note": (),
    "checkout.rate_seller": (),
    "account.home": (),
    "account.login": ("next",),
    "account.register": ("next",),
    "account.password_forgot": (),
    "account.password_reset_page": (),
    "account.accept_invitation": (),
    "account.change_password": (),
    "account.register_sent": (),
    "account.confirm_email": (),
    "account.address_book": (),
    "account.address_new": (),
    "account.address_edit": (),
    "discussions.inbox": (),
    "discussions.thread": (),
    "discussions.poll": ("after", "seen"),
    "discussions.new_about_offer": ("offre",),
    "discussions.new_about_order": (),
    "media.placeholder": ("label",),
    "media.file": (),
    "seller.dashboard": (),
    "seller.offers": ("q", "page"),
    "seller.offer_new": ("q", "product"),
    "seller.order_list": ("state", "late", "q", "page"),
    "seller.order": (),
    "seller.inbox": (),
    "seller.thread": (),
    "seller.poll": ("after", "seen"),
    "seller.integration_clients": (),
    "seller.integration_client_created": (),
    "seller.integration_confirm_revoke": (),
    "seller.integration_webhooks": (),
    "seller.integration_subscription": (),
    "seller.integration_subscription_created": (),
    "seller.integration_confirm_deactivate": (),
    "seller.colleagues_page": (),
    "seller.confirm_remove_colleague": (),
    "seller.exports": (),
    "seller.export_download": ("format", "since"),
    "seller.imports": (),
    "seller.import_detail": (),
    "seller.import_errors": (),
    "seller.import_mapping": (),
    "seller.finance": ("kind", "since", "until", "page"),
    "seller.statement_pdf": (),
    "seller.statement_csv": (),
    "seller.document_pdf": (),
    "seller.ratings": ("unanswered", "page"),
    "onboarding.apply": (),
    "onboarding.sent": (),
    "onboarding.complete": (),
    "static": ("v",),
    "shop.event_page": ("page",),
}

# -- what Hypothesis throws -----------------------------------------------------------------------

NASTY = [
    "1e26", "1E+26", "1e308", "1e-300", "-0", "-1", "+5", "nan", "NaN", "-inf", "Infinity",
    "１２", "٣", "²", "¹²", "½", "0x10", "1_000", "9" * 40, "0" * 25 + "1", "1.5", "1,5", "1,,5",
    ".", ",", "", " ", "\x00", "%", "%00", "'", '"', "<script>alert(1)</script>", "\u202e1",
    str(2**31), str(2**63), str(10**30), "1" * 19, "999999999.99", "10000000.01",
]
number_strategies = (
    st.floats(allow_nan=True, allow_infinity=True).map(repr),  # 'nan', 'inf', '1e+26', '5e-324'
    st.floats(min_value=1e15, max_value=1e300).map(repr),  # huge, in exponent form
    st.tuples(st.integers(1, 99), st.sampled_from("eE"), st.integers(-400, 400)).map(
        lambda t: f"{t[0]}{t[1]}{t[2]}"),  # short exponent forms: 1e26, 5E-300
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f"{f:f}"),  # huge, written out
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"\A[+-]?[0-9]{0,25}([.,][0-9]{0,12})?([eE][+-]?[0-9]{1,4})?\Z"),
    st.text(alphabet="0123456789０１２３٠١٢٣۴߅²³¹½-+.,eE_ x", max_size=24),  # other scripts' digits
)
numbers = st.one_of(*number_strategies)
values = st.one_of(st.sampled_from(NASTY), *number_strategies, st.text(max_size=40))


def query_of(names: tuple[str, ...]):
    """Each of ``names`` with a hostile value or absent, and sometimes one twice (a URL may
    repeat a name); pages that read nothing get a stray parameter or two."""
    if not names:
        return st.lists(st.tuples(st.sampled_from(["page", "offre", "x"]), values), max_size=2)
    each = st.tuples(*(st.one_of(st.none(), values).map(lambda v, n=n: (n, v)) for n in names))
    repeated = st.lists(st.tuples(st.sampled_from(names), values), max_size=2)
    return st.tuples(each, repeated).map(lambda d: [(n, v) for n, v in d[0] if v is not None] + d[1])


# Derandomized: the same examples each run (the suite stays reproducible under pytest-randomly).
# No shrinking: it would replay hundreds of requests to minimise a failing query; the example is
# reported as drawn, and the traceback names the parameter that broke.
PROPERTY = settings(
    max_examples=100, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_no_server_error(client, path, query=(), **kwargs) -> str:
    """The page's text, after checking it is not a server error."""
    response = client.get(path, query_string=list(query), **kwargs)
    with response:  # static files are streamed: close them
        assert response.status_code < 500, (path, query, response.status_code)
        return response.get_data(as_text=True)


# -- the parser itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("12", 12), (" 12 ", 12), ("0", 0), ("007", 7), ("2147483647", 2147483647),
    ("2147483648", None), ("-1", None), ("+1", None), ("1e3", None), ("1.0", None), ("１２", None),
    ("٣", None), ("²", None), ("", None), (None, None), ("nan", None), ("1_000", None),
    ("9" * 21, None),
])
def test_whole_numbers_are_plain_ascii_digits_within_range(raw, expected):
    assert query_params.whole(raw, high=query_params.MAX_ID) == expected


@pytest.mark.parametrize("raw, expected", [
    ("8", Decimal("8")), ("8,5", Decimal("8.5")), ("8.5", Decimal("8.5")), (",5", Decimal("0.5")),
    ("8.", Decimal("8")), ("1000", Decimal("1000")), ("1000.01", None), ("1e2", None),
    ("-1", None), ("inf", None), ("NaN", None), ("8,5,1", None), ("１２", None), (".", None),
])
def test_decimals_accept_a_comma_or_a_point_and_nothing_else(raw, expected):
    assert query_params.decimal(raw, high=1000) == expected


def test_page_and_ids_ignore_what_is_out_of_range():
    assert query_params.page({"page": "3"}) == 3
    assert query_params.page({"page": "0"}) == 1
    assert query_params.page({"page": str(query_params.MAX_PAGE + 1)}) == 1
    assert query_params.page({}) == 1
    assert query_params.identifier("0") is None and query_params.identifier(str(2**31)) is None
    assert query_params.cents("12,505", high_euros=100) == 1250
    assert query_params.cents("100,01", high_euros=100) is None


@given(raw=values, high=st.integers(min_value=0, max_value=10**12))
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_the_parser_never_raises_and_stays_in_range(raw, high):
    number = query_params.whole(raw, high=high)
    assert number is None or 0 <= number <= high
    amount = query_params.decimal(raw, high=high)
    assert amount is None or (amount.is_finite() and 0 <= amount <= high)
    assert 1 <= query_params.page({"page": raw}) <= query_params.MAX_PAGE


# -- the table covers the code ----------------------------------------------------------------------


def test_the_table_covers_every_public_get_route(app):
    routes = {
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint.split(".")[0] in (*PUBLIC_BLUEPRINTS, "static")
    }
    assert routes == set(QUERY_PARAMETERS)


def test_the_table_covers_every_query_parameter_read_in_the_code():
    read = re.compile(r"""args\.get(?:list)?\(\s*(?:f?["'])([A-Za-z_]+)["']""")
    sources = [
        path for name in PUBLIC_BLUEPRINTS if name != "media"
        for path in sorted((PROJECT_ROOT / "storefront" / name).glob("*.py"))
    ] + [PROJECT_ROOT / "storefront" / path for path in ("media.py", "themes/static.py", "web/query_params.py")]
    names = {match for path in sources for match in read.findall(path.read_text())}
    assert {"offre", "page", "q", "after", "label"} <= names  # the scan finds them
    covered = {name for params in QUERY_PARAMETERS.values() for name in params}
    # ``dir`` is read by query_params.sort, which only the back office's lists call so far: the
    # first public page that calls it must list ``dir`` (and ``sort``) above.
    public_sorts = [path.name for path in sources if "query_params.sort(" in path.read_text()]
    assert public_sorts == [], public_sorts
    assert names - {"dir"} <= covered, names - {"dir"} - covered
    assert covered >= facets.RESERVED


# -- shop pages, anonymous, with a cart -----------------------------------------------------------


def shop_pages(session, client, shop) -> dict[str, str]:
    """endpoint -> a path of the mini shop where it shows something real."""
    washers = session.query(Category).filter_by(code="washers").one()
    offer = shop.offers["washer_martin"]
    visitor = Visitor(client)
    visitor.post("/panier/ajouter", {"offer_id": str(offer.id), "quantity": "1"})
    return {
        "shop.home": "/",
        "shop.category": f"/c/{washers.id}/{washers.slug}",
        "shop.search_page": "/recherche",
        "shop.suggestions": "/recherche/suggestions",
        "shop.product": f"/p/{shop.washer.id}/{shop.washer.slug}",
        "shop.seller": f"/vendeur/{shop.martin.slug}",
        "shop.seller_ratings_page": f"/vendeur/{shop.martin.slug}/avis",
        "cart.show": "/panier/",
        "cart.count": "/panier/compte",
        "checkout.start": "/commande/",
        "checkout.address": "/commande/adresse",
        "checkout.delivery": "/commande/livraison",
        "checkout.payment": "/commande/paiement",
        "checkout.review": "/commande/recapitulatif",
        "account.login": "/compte/connexion",
        "account.register": "/compte/inscription",
        "account.register_sent": "/compte/inscription/verifiez-vos-emails",
        "media.placeholder": "/media/placeholder/abc.svg",
        "static": "/static/css/shop.css",
    }


LISTINGS = ("shop.category", "shop.seller", "shop.search_page")  # the pages with filters


def test_no_query_string_crashes_a_listing(client, session, mini_shop):
    pages = shop_pages(session, client, mini_shop)

    @PROPERTY
    @given(data=st.data())
    def property(data):
        endpoint = data.draw(st.sampled_from(LISTINGS), label="endpoint")
        query = data.draw(query_of(QUERY_PARAMETERS[endpoint]), label="query")
        headers = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
        assert_no_server_error(client, pages[endpoint], query, headers=headers)

    property()


def test_no_query_string_crashes_another_shop_page(client, session, mini_shop):
    pages = shop_pages(session, client, mini_shop)
    for endpoint, path in pages.items():  # each page works without parameters first
        with client.get(path) as response:
            assert response.status_code < 400, endpoint
    others = sorted(set(pages) - set(LISTINGS))

    @settings(PROPERTY, max_examples=60)
    @given(data=st.data())
    def property(data):
        endpoint = data.draw(st.sampled_from(others), label="endpoint")
        query = data.draw(query_of(QUERY_PARAMETERS[endpoint]), label="query")
        assert_no_server_error(client, pages[endpoint], query)

    property()


def test_out_of_range_facets_are_ignored_and_the_page_says_so_plainly(client, session, mini_shop):
    washers = session.query(Category).filter_by(code="washers").one()
    path = f"/c/{washers.id}/{washers.slug}"
    unfiltered = client.get(path).get_data(as_text=True)
    for query in ("capacity_kg_min=1e26", "capacity_kg_max=1e308", "capacity_kg_min=１２",
                  "price_max=1e26", "price_min=-5", "page=²", "page=99999999999999999999"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, query
        # The filter is dropped: the same products as without it.
        assert _product_links(response.get_data(as_text=True)) == _product_links(unfiltered), query
    kept = client.get(f"{path}?capacity_kg_min=8,5").get_data(as_text=True)
    assert 'name="capacity_kg_min"' in kept and 'value="8,5"' in kept


def test_nothing_typed_in_a_query_string_comes_back_unescaped(client, session, mini_shop):
    probe = '"><b data-probe>x</b>'
    pages = shop_pages(session, client, mini_shop)
    for endpoint, path in pages.items():
        names = QUERY_PARAMETERS[endpoint] or ("x",)
        page = assert_no_server_error(client, path, [(name, probe) for name in names])
        assert "<b data-probe>" not in page, endpoint


def _product_links(page: str) -> list[str]:
    return re.findall(r'href="(/p/\d+/[^"?]*)"', page)


# -- pages behind a log-in ------------------------------------------------------------------------


def test_no_query_string_crashes_a_signed_in_page(app, client, session, people):
    camille = Visitor(client).log_in(people.customer)
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    offer = people.shop.offers["alpha"]
    thread = discussions.open_thread(
        session, people.customer, people.shop.alpha, "PRODUCT_QUESTION", "Existe-t-il en blanc ?",
        offer=offer,
    )
    session.commit()
    pages = {
        "account.home": (camille, "/compte/"),
        "account.address_book": (camille, "/compte/adresses"),
        "account.address_new": (camille, "/compte/adresses/nouvelle"),
        "account.change_password": (camille, "/compte/mot-de-passe"),
        "checkout.orders": (camille, "/commande/mes-commandes"),
        "discussions.inbox": (camille, "/messages/"),
        "discussions.thread": (camille, f"/messages/{thread.id}"),
        "discussions.poll": (camille, f"/messages/{thread.id}/nouveaux"),
        "discussions.new_about_offer": (camille, "/messages/nouveau"),
        "seller.dashboard": (alpha, "/seller/"),
        "seller.offers": (alpha, "/seller/offers"),
        "seller.offer_new": (alpha, "/seller/offers/new"),
        "seller.order_list": (alpha, "/seller/orders"),
        "seller.inbox": (alpha, "/seller/messages"),
        "seller.thread": (alpha, f"/seller/messages/{thread.id}"),
        "seller.poll": (alpha, f"/seller/messages/{thread.id}/new"),
        "seller.integration_clients": (alpha, "/seller/integrations"),
        "seller.integration_webhooks": (alpha, "/seller/integrations/webhooks"),
        "seller.exports": (alpha, "/seller/exports"),
        "seller.ratings": (alpha, "/seller/ratings"),
        "seller.export_download": (alpha, "/seller/exports/download"),
    }
    for endpoint, (who, path) in pages.items():
        assert who.get(path, query_string={"offre": offer.id}).status_code < 400, endpoint

    @PROPERTY
    @given(data=st.data())
    def property(data):
        endpoint = data.draw(st.sampled_from(sorted(pages)), label="endpoint")
        who, path = pages[endpoint]
        assert_no_server_error(who.client, path, data.draw(query_of(QUERY_PARAMETERS[endpoint]), label="query"))

    property()


# -- numbers in paths -----------------------------------------------------------------------------

_PARAMETER = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
big_ids = st.one_of(
    st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.integers(min_value=0, max_value=10**40),
)


def test_no_number_or_text_in_a_path_crashes_a_page(app, client, session, people):
    alpha = Visitor(app.test_client()).log_in(people.alpha_staff)
    camille = Visitor(client).log_in(people.customer)
    rules = sorted(
        (rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.arguments and rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS
    )
    assert any("int(" in rule for rule, _ in rules)

    @PROPERTY
    @given(data=st.data())
    def property(data):
        rule, endpoint = data.draw(st.sampled_from(rules), label="rule")

        def value(match: re.Match) -> str:
            if match["converter"] == "int":
                return str(data.draw(big_ids, label=match["name"]))
            if match["converter"] == "any":
                return "accept"
            return quote(data.draw(st.one_of(numbers, st.text(min_size=1, max_size=30)), label=match["name"]), safe="")

        path = _PARAMETER.sub(value, rule)
        who = alpha if endpoint.startswith("seller.") else camille
        assert_no_server_error(who.client, path)

    property()
    for rule, _ in rules:  # past PostgreSQL's integer: not found, never the database's error
        if "<int(" in rule:
            path = _PARAMETER.sub(lambda m: str(2**31) if m["converter"] == "int" else "x", rule)
            who = alpha if rule.startswith("/seller") else camille
            assert who.get(path).status_code == 404, path
