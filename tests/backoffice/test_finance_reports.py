"""The back office's finance reports page (/backoffice/finance/reports): the figures of a known
ledger in the table, the charts as SVG images without any script, the CSV for French Excel, the
form keeping what was typed when it is wrong, French on the French page, and only for staff who
see the commissions."""

from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storefront import PROJECT_ROOT
from storefront.backoffice import charts
from storefront.marketplace.models import OperatorRole
from tests import order_fixtures
from tests.finance import report_fixtures
from tests.order_fixtures import Visitor, html_text

people = order_fixtures.people
ledger = report_fixtures.ledger  # the fixture
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
AUTUMN = "/backoffice/finance/reports?since=2026-10-01&until=2026-11-30&bucket=month&dimension=seller"


@contextmanager
def frozen(app, moment: datetime):
    app.config["FROZEN_TIME"] = moment
    try:
        yield
    finally:
        app.config.pop("FROZEN_TIME", None)


@pytest.fixture
def admin(client, people):
    return Visitor(client).log_in(people.operator)


def slots(page: str) -> list[str]:
    """The text of each period of the table: its heading, then a row per seller or category."""
    return [html_text(body) for body in re.findall(r'<tbody data-testid="report-slot">(.*?)</tbody>', page, re.DOTALL)]


def test_the_table_shows_the_ledgers_figures(admin, ledger):
    page = admin.page(AUTUMN)
    assert slots(page) == [
        "Oct 1 – 31, 2026 Gamma Cuisine €12.00 €1.44",
        "Nov 1 – 30, 2026 Alpha Maison €15.00 €2.51 Beta Froid €8.00 €0.96",
    ]
    text = html_text(page)
    assert "€35.00" in text and "€4.91" in text and "14.0 %" in text
    grand = re.search(r'data-testid="report-grand-total">(.*?)</tr>', page, re.DOTALL).group(1)
    assert html_text(grand) == "Total €35.00 €4.91"
    assert html_text(re.search(r'data-testid="report-legend">(.*?)</ul>', page, re.DOTALL).group(1)) == \
        "Alpha Maison Gamma Cuisine Beta Froid"
    assert 'src="/backoffice/finance/reports/gmv.svg?since=2026-10-01&amp;until=2026-11-30&amp;bucket=month' \
           '&amp;dimension=seller"' in page
    assert 'value="2026-10-01"' in page and '<option selected value="month">' in page

    by_category = admin.page(AUTUMN.replace("dimension=seller", "dimension=category"))
    assert slots(by_category) == [
        "Oct 1 – 31, 2026 Garden €12.00 €1.44",
        "Nov 1 – 30, 2026 Home €23.00 €2.76 Shipping (no category) €0.00 €0.71",
    ]
    assert 'class="swatch swatch--shipping"' in by_category


def test_the_default_is_the_last_90_days_per_week(app, client, people, ledger):
    with frozen(app, NOW):
        page = Visitor(client).log_in(people.operator).page("/backoffice/finance/reports")
    assert 'value="2026-09-12"' in page and 'value="2026-12-10"' in page
    assert '<option selected value="week">' in page and '<option selected value="seller">' in page
    # Beta's second sale (1 December) puts it first: groups are ranked by their GMV of the period.
    assert slots(page)[0] == "Oct 26 – Nov 1, 2026 Beta Froid €8.00 €0.96 Gamma Cuisine €12.00 €1.44"


def test_an_empty_period_says_so(admin, ledger):
    page = admin.page("/backoffice/finance/reports?since=2020-01-01&until=2020-01-31")
    assert 'data-testid="report-empty"' in page and "report-chart-gmv" not in page
    svg = admin.get("/backoffice/finance/reports/gmv.svg?since=2020-01-01&until=2020-01-31").get_data(as_text=True)
    assert "Nothing captured in this period" in svg and "<script" not in svg


@pytest.mark.parametrize("query, field, message", [
    ("since=2026-12-01&until=2026-11-01", "until", "The end date must not come before the start date."),
    ("since=2024-01-01&until=2026-06-30", "until", "A report covers at most 731 days"),
    ("since=demain&until=2026-11-30", "since", "Enter a date, for example 2026-12-01."),
    ("since=2026-02-30", "since", "Enter a date, for example 2026-12-01."),
    ("bucket=year", "bucket", "Choose one of the options offered."),
    ("dimension=%3Cscript%3E", "dimension", "Choose one of the options offered."),
])
def test_a_wrong_form_says_what_is_wrong_and_keeps_what_was_typed(admin, ledger, query, field, message):
    answer = admin.get(f"/backoffice/finance/reports?{query}")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    error = re.search(rf'data-testid="error-{field}">(.*?)</div>', page, re.DOTALL)
    assert error and message in html_text(error.group(1)), page[:3000]
    assert 'aria-invalid="true"' in page and 'data-testid="finance-report"' not in page
    for name, value in (part.split("=") for part in query.split("&")):
        if name in ("since", "until"):
            assert f'value="{value}"' in page
    assert "<script>" not in page.split("</head>")[1].split('<script src')[0]
    assert admin.get(f"/backoffice/finance/reports/gmv.svg?{query}").status_code == 422


@pytest.mark.parametrize("hostile", ["since=%00", "until=" + "9" * 5000, "since=1e9&until=-1",
                                     "bucket=&dimension=", "format=pdf", "since=2026-W01-1"])
def test_hostile_input_never_breaks_the_page(admin, ledger, hostile):
    assert admin.get(f"/backoffice/finance/reports?{hostile}").status_code in (200, 422)
    assert admin.get(f"/backoffice/finance/reports/commission.svg?{hostile}").status_code in (200, 422)


@pytest.mark.parametrize("chart", ["gmv", "commission"])
def test_charts_are_svg_without_any_script(admin, ledger, chart):
    answer = admin.get(AUTUMN.replace("/reports?", f"/reports/{chart}.svg?"))
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    svg = answer.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<svg" in svg and "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+\s*=", svg)
    assert set(re.findall(r'class="series serie-(\d+)', svg)) == {"0", "1", "2"}  # Alpha, Gamma, Beta; the legend is the page's
    assert "Oct 2026" in svg and "Nov 2026" in svg and "€" in svg
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


def test_the_legend_has_the_charts_colours():
    css = (PROJECT_ROOT / "static/css/finance-reports.css").read_text()
    for swatch, colour in [*((str(i), c) for i, c in enumerate(charts.PALETTE)), *charts.SPECIAL_COLOURS.items()]:
        assert f".swatch--{swatch} {{ background: {colour}; }}" in css, swatch
    assert charts.finance_swatch(12, "alpha") == "2" and charts.finance_swatch(3, "others") == "others"


def test_the_csv_is_for_french_excel(admin, ledger):
    admin.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    answer = admin.get(AUTUMN.replace("dimension=seller", "dimension=category") + "&format=csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == \
        'attachment; filename="finances-category-2026-10-01-2026-11-30.csv"'
    body = answer.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert table == [
        ["period_start", "period_end", "dimension", "code", "name", "gmv_cents", "gmv", "commission_cents",
         "commission", "currency"],
        ["2026-10-01", "2026-10-31", "category", "garden", "Jardin", "1200", "12,00", "144", "1,44", "EUR"],
        ["2026-11-01", "2026-11-30", "category", "home", "Maison", "2300", "23,00", "276", "2,76", "EUR"],
        ["2026-11-01", "2026-11-30", "category", "shipping", "Livraison (sans catégorie)", "0", "0,00", "71",
         "0,71", "EUR"],
    ]
    assert b"\r\n" in body


def test_the_french_page_is_in_french(admin, ledger):
    admin.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = admin.page(AUTUMN)
    text = html_text(page)
    for french in ("Rapports financiers", "Premier jour", "Dernier jour", "Regrouper par", "Répartir par", "Vendeur", "Mois", "Chiffres par période",
                   "Période entière", "35,00 €", "4,91 €", "1–31 oct. 2026", "Télécharger (CSV)"):
        assert french in text, french
    for english in ("Finance reports", "Figures per period", "Whole period", "Download", "Seller"):
        assert english not in text, english
    svg = admin.get(AUTUMN.replace("/reports?", "/reports/gmv.svg?")).get_data(as_text=True)
    assert "oct. 2026" in svg and "12,00" in svg


def test_only_staff_who_see_commissions_open_it(client, session, people, ledger, staff_of):
    assert staff_of(OperatorRole.FINANCE).get(AUTUMN).status_code == 200
    staff_of(OperatorRole.FINANCE).post("/compte/deconnexion")
    for role in (OperatorRole.CATALOG, OperatorRole.SUPPORT):
        visitor = staff_of(role)
        for path in (AUTUMN, AUTUMN + "&format=csv", AUTUMN.replace("/reports?", "/reports/gmv.svg?")):
            assert visitor.get(path).status_code == 403, (role, path)
        assert 'data-testid="finance-reports-link"' not in visitor.page("/backoffice/")
        visitor.post("/compte/deconnexion")
    seller = Visitor(client).log_in(people.alpha_staff)
    for path in (AUTUMN, AUTUMN + "&format=csv", AUTUMN.replace("/reports?", "/reports/commission.svg?")):
        assert seller.get(path).status_code == 403, path
    seller.post("/compte/deconnexion")
    admin = Visitor(client).log_in(people.operator)
    assert 'href="/backoffice/finance/reports" data-testid="finance-reports-link"' in admin.page("/backoffice/")
