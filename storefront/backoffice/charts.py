"""The home's charts, drawn on the server as SVG with pygal: no JavaScript, nothing from a CDN.

pygal writes a ``<script>`` into every chart (its tooltips' configuration, and by default a
script from a CDN): both are removed here, and a test checks that no script is left. The SVG is
served from its own route as an image (``<img src>``): a document loaded as an image runs no
script at all, and its response carries a policy of its own that allows only the chart's
inline styles (pygal colours its series with a ``<style>`` element); the page's policy stays as
strict as everywhere else.
"""

from __future__ import annotations

import math
import re
import sys

import pygal
from flask_babel import format_currency, format_date, format_decimal
from flask_babel import gettext as _
from pygal.style import Style

from storefront.marketplace.marketplace_stats import Overview

# pygal appends to sys.meta_path an import hook of the old kind (for its map plugins, unused
# here); from then on every import that finds no module makes Python warn, which the tests turn
# into errors (and a library trying an optional import would then fail). Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

# The policy of a chart's response: nothing may load or run, inline styles only.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
CHARTS = ("gmv", "orders", "sellers")
WIDTH, HEIGHT = 640, 320  # the viewBox; the image is as wide as its box
TOP_SELLERS = 8
SELLERS_HEIGHT = HEIGHT

_SCRIPT = re.compile(rb"<script\b[^>]*?(?:/>|>.*?</script\s*>)", re.DOTALL | re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(rb"""\s on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*')""", re.IGNORECASE | re.VERBOSE)

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#374151",
    foreground_strong="#111827",
    foreground_subtle="#e5e7eb",
    opacity=".85",
    opacity_hover=".95",
    colors=("#2746b8", "#e0662e", "#15803d", "#a21caf", "#b45309"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=15,
    major_label_font_size=15,
    value_font_size=14,
    tooltip_font_size=14,
)


STYLE_ORDERS = Style(**{**{key: getattr(STYLE, key) for key in (
    "background", "plot_background", "foreground", "foreground_strong", "foreground_subtle", "opacity",
    "opacity_hover", "font_family", "label_font_size", "major_label_font_size", "value_font_size",
    "tooltip_font_size")}, "colors": ("#e0662e",)})


def render(chart: str, overview: Overview) -> bytes:
    """The SVG of ``chart`` (one of :data:`CHARTS`) for ``overview``, without any script."""
    drawn = {"gmv": _gmv, "orders": _orders, "sellers": _sellers}[chart](overview)
    return without_scripts(drawn.render())


def without_scripts(svg: bytes) -> bytes:
    """``svg`` without ``<script>`` elements nor ``on…=`` event attributes."""
    return _EVENT_ATTRIBUTE.sub(b"", _SCRIPT.sub(b"", svg))


def _config(**options):
    return {
        "style": options.pop("style", STYLE),
        "js": [],  # no script from pygal's CDN
        "show_legend": False,
        "width": WIDTH,
        "height": HEIGHT,
        "margin": 12,
        "truncate_label": -1,  # whole labels: "4 déc.", not "4…"
        "truncate_legend": -1,
        "no_data_text": _("No order in this period"),
        **options,
    }


def _scale(most: float, steps: int = 4, factors: tuple = (1, 2, 2.5, 5, 10)) -> list[float]:
    """0 to at least ``most`` in a few round steps (1, 2, 2.5 or 5 times a power of ten): the axis
    of a chart reads 0, 50, 100, 150 rather than a line every 2 euros."""
    if most <= 0:
        return [0, 1]
    rough = most / steps
    power = 10 ** math.floor(math.log10(rough))
    step = next(power * factor for factor in factors if power * factor >= rough)
    count = math.ceil(most / step)
    return [round(step * index, 2) for index in range(count + 1)]


def _euros(cents_as_euros: float) -> str:
    return format_currency(cents_as_euros, "EUR")


def _day_labels(overview: Overview) -> list[str]:
    if overview.period.step == 1:
        return [format_date(point.first_day, "d MMM") for point in overview.series]
    return [_("week of %(day)s", day=format_date(point.first_day, "d MMM")) for point in overview.series]


def _every(overview: Overview) -> int:
    count = len(overview.series)
    return 1 if count <= 8 else (5 if count <= 31 else 3)


def _gmv(overview: Overview):
    chart = pygal.Bar(**_config(
        value_formatter=_euros, show_minor_x_labels=False, x_labels_major_every=_every(overview),
    ))
    chart.x_labels = _day_labels(overview)
    chart.y_labels = _scale(max((point.gmv for point in overview.series), default=0) / 100)
    chart.add(_("GMV"), [point.gmv / 100 for point in overview.series])
    return chart


def _orders(overview: Overview):
    most = max((point.orders for point in overview.series), default=0)
    chart = pygal.Bar(**_config(
        value_formatter=lambda value: format_decimal(value), show_minor_x_labels=False,
        x_labels_major_every=_every(overview), style=STYLE_ORDERS,
    ))
    chart.x_labels = _day_labels(overview)
    # Whole orders: no "0.4 order", no step of 2.5.
    chart.y_labels = [int(label) for label in _scale(max(most, 4), factors=(1, 2, 5, 10))]
    chart.add(_("Orders"), [point.orders for point in overview.series])
    return chart


def _sellers(overview: Overview):
    top = [s for s in overview.sellers if s.figures.gmv][:TOP_SELLERS]
    chart = pygal.HorizontalBar(**_config(value_formatter=_euros, height=SELLERS_HEIGHT, margin_right=36))
    chart.x_labels = [s.name for s in reversed(top)]
    chart.y_labels = _scale(max((s.figures.gmv for s in top), default=0) / 100, steps=3)
    chart.add(_("GMV"), [s.figures.gmv / 100 for s in reversed(top)])
    return chart


# -- the finance reports' charts (storefront/backoffice/finance_reports.py) -----------------------

FINANCE_CHARTS = ("gmv", "commission")
FINANCE_WIDTH, FINANCE_HEIGHT = 960, 360  # one chart per row
PALETTE = ("#2746b8", "#e0662e", "#15803d", "#a21caf", "#b45309", "#0e7490", "#be123c", "#4d7c0f",
           "#1e3a8a", "#c2410c")
SPECIAL_COLOURS = {"others": "#9ca3af", "shipping": "#57534e"}  # the same grey and brown every time
_BASE = {key: getattr(STYLE, key) for key in (
    "background", "plot_background", "foreground", "foreground_strong", "foreground_subtle", "opacity",
    "opacity_hover", "font_family", "label_font_size", "major_label_font_size", "value_font_size",
    "tooltip_font_size")}


def finance_swatch(index: int, key: str) -> str:
    """The colour class of the ``index``-th group of a report (``key`` its key): ``0`` to ``9``
    along :data:`PALETTE`, ``others`` or ``shipping``. The page's legend is HTML (it wraps on a
    phone and is read as text), coloured by static/css/finance-reports.css's ``.swatch--<class>``,
    whose colours a test keeps equal to the charts'."""
    return key if key in SPECIAL_COLOURS else str(index % len(PALETTE))


def _colour(swatch: str) -> str:
    return SPECIAL_COLOURS.get(swatch) or PALETTE[int(swatch)]


def render_finance(chart: str, report, labels: list[str]) -> bytes:
    """The SVG of a finance report's ``chart`` (one of :data:`FINANCE_CHARTS`): a stacked bar per
    slot, a colour per group (:func:`finance_swatch`; the legend is the page's, ``labels`` name
    the series inside the SVG), without any script. The slots' labels are ``report.slots``' first days (their months for months)."""
    measure = "gmv" if chart == "gmv" else "commission"
    values = [[cents / 100 for cents in getattr(group, measure)] for group in report.groups]
    ups = [sum(v[i] for v in values if v[i] > 0) for i in range(len(report.slots))]
    downs = [sum(v[i] for v in values if v[i] < 0) for i in range(len(report.slots))]
    colours = [_colour(finance_swatch(index, group.key)) for index, group in enumerate(report.groups)]
    bars = pygal.StackedBar(**_config(
        style=Style(**_BASE, colors=tuple(colours) or PALETTE[:1]),
        value_formatter=_euros, width=FINANCE_WIDTH, height=FINANCE_HEIGHT,
        show_minor_x_labels=False, x_labels_major_every=max(1, math.ceil(len(report.slots) / 10)),
        no_data_text=_("Nothing captured in this period"),
    ))
    month = report.asked.bucket == "month"
    bars.x_labels = [format_date(slot.first_day, "MMM yyyy" if month else "d MMM") for slot in report.slots]
    if report.groups:  # with no series pygal draws its "no data" text, and fails on y labels
        bars.y_labels = _signed_scale(min(downs, default=0), max(ups, default=0))
    for label, series in zip(labels, values, strict=True):
        bars.add(label, series)
    return without_scripts(bars.render())


def _signed_scale(low: float, high: float) -> list[float]:
    """Round steps from ``low`` (0 or less: refunds can outweigh sales) to ``high``."""
    sample = _scale(max(high, -low, 0))
    step = sample[1] - sample[0]
    first = math.floor(low / step) if low < 0 else 0
    last = math.ceil(high / step) if high > 0 else (0 if low < 0 else 1)
    return [round(step * index, 2) for index in range(first, last + 1)]
