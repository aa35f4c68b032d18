"""The back office's home: the marketplace at a glance for the last 7, 30 or 90 days (``?days=``),
over ``marketplace_stats``; and its charts, served as SVG images (storefront/backoffice/charts.py).

The home's page itself is ``views.index`` (every role holding DASHBOARD opens it); it adds
:func:`overview_context` to what it renders, and templates/backoffice/partials/dashboard.html
shows it.
"""

from __future__ import annotations

from flask import Response, request
from flask_babel import format_percent, format_timedelta

from storefront.backoffice import bp, charts
from storefront.backoffice.access import requires
from storefront.extensions import db
from storefront.marketplace import marketplace_stats
from storefront.marketplace.staff import Permission
from storefront.web import query_params


def chosen_days() -> int:
    """``?days=`` among the periods offered, else the default."""
    offered = {str(days) for days in marketplace_stats.PERIODS}
    return int(query_params.choice(request.args.get("days"), offered, str(marketplace_stats.DEFAULT_PERIOD)))


def overview_context() -> dict:
    """What templates/backoffice/partials/dashboard.html needs."""
    return {
        "overview": marketplace_stats.overview(db.session, chosen_days()),
        "periods": marketplace_stats.PERIODS,
        "charts": charts.CHARTS,
        "format_percent": format_percent,
        "format_duration": lambda delta: format_timedelta(delta, threshold=1.5),
    }


@bp.get(f"/charts/<any({', '.join(charts.CHARTS)}):chart>.svg")
@requires(Permission.DASHBOARD)
def dashboard_chart(chart: str):
    svg = charts.render(chart, marketplace_stats.overview(db.session, chosen_days()))
    return Response(svg, mimetype="image/svg+xml", headers={"Content-Security-Policy": charts.CHART_POLICY})
