"""The host's dashboard: views, search appearances, bookings, occupancy and earnings over a range of days, per day
or per week, for one listing or all, drawn as server-side SVG charts with the numbers in a table."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from apps.analytics import selectors
from apps.analytics.charts import bar_chart
from apps.analytics.web.forms import DashboardForm
from apps.core.errors import InvalidInput
from apps.core.web.forms import add_domain_error

DAILY_UP_TO = 62  # days; longer ranges are shown per week unless the host asks for days
QUICK_RANGES = [("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90), ("Last 12 months", 365)]


def _short(day: date) -> str:
    return f"{day:%b} {day.day}"


def _long(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _money(value) -> str:
    return f"${Decimal(value):,.2f}"


def _money_tick(value: float) -> str:
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def _count(value) -> str:
    return f"{int(value):,}"


def _count_tick(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _percent(value) -> str:
    return f"{Decimal(value):.0f}%"


def _chart(
    *,
    key: str,
    title: str,
    periods: list,
    period: str,
    values: list,
    total: str,
    format_value: Callable,
    format_tick: Callable,
    maximum=None,
    whole: bool = False,
) -> dict:
    word = "day" if period == "day" else "week"
    first, last = periods[0].start, periods[-1].end
    description = f"{title} per {word} from {_long(first)} to {_long(last)}: {total}."
    present = [(value, p) for value, p in zip(values, periods, strict=True) if value is not None]
    if present and max(value for value, _ in present) > 0:
        highest, at = max(present, key=lambda pair: pair[0])
        when = f"on {_long(at.start)}" if period == "day" else f"in the week of {_long(at.start)}"
        description += f" The highest was {format_value(highest)}, {when}."
    labels = [_short(p.start) for p in periods]
    tooltips = labels if period == "day" else [f"Week of {_short(p.start)}" for p in periods]
    svg = bar_chart(
        chart_id=f"chart-{key}",
        title=f"{title} per {word}",
        description=description,
        labels=labels,
        tooltip_labels=tooltips,
        values=values,
        format_value=format_value,
        format_tick=format_tick,
        maximum=maximum,
        whole=whole,
    )
    return {"key": key, "title": title, "total": total, "svg": svg}


def _charts(report: selectors.Report, periods: list, period: str) -> list[dict]:
    totals = report.totals
    occupancy = totals.occupancy
    common = {"periods": periods, "period": period}
    # Earnings and occupancy first: what a host looks for first.
    return [
        _chart(
            key="earnings",
            title="Earnings",
            values=[p.earnings for p in periods],
            total=f"{_money(totals.earnings)} in all",
            format_value=_money,
            format_tick=_money_tick,
            **common,
        ),
        _chart(
            key="occupancy",
            title="Occupancy",
            values=[p.occupancy * 100 if p.occupancy is not None else None for p in periods],
            total=f"{occupancy * 100:.0f}% over the whole range" if occupancy is not None else "never open",
            format_value=_percent,
            format_tick=lambda value: f"{value:.0f}%",
            maximum=100,
            **common,
        ),
        _chart(
            key="views",
            title="Views",
            values=[p.views for p in periods],
            total=f"{totals.views:,} in all",
            format_value=_count,
            format_tick=_count_tick,
            whole=True,
            **common,
        ),
        _chart(
            key="searches",
            title="Shown in searches",
            values=[p.searches_shown_in for p in periods],
            total=f"{totals.searches_shown_in:,} searches in all",
            format_value=_count,
            format_tick=_count_tick,
            whole=True,
            **common,
        ),
        _chart(
            key="bookings",
            title="Bookings made",
            values=[p.bookings for p in periods],
            total=f"{totals.bookings:,} in all",
            format_value=_count,
            format_tick=_count_tick,
            whole=True,
            **common,
        ),
    ]


def _link(**params) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value not in (None, "")})


@login_required
def dashboard(request):
    form = DashboardForm(request.GET)
    report = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = selectors.host_analytics(
                request.user, first_day=data["from"], last_day=data["to"], listing_id=data["listing"]
            )
        except InvalidInput as error:  # a range out of order or too long; somebody else's listing is a 404
            add_domain_error(form, error)
    if report is None:
        form.fields["listing"].widget.choices = [("", "All listings")] + [
            (listing.pk, listing.title) for listing in selectors.host_listing_choices(request.user)
        ]
        return render(request, "analytics/dashboard.html", {"form": form, "host_tab": "dashboard"}, status=400)

    listing_id = report.listing.pk if report.listing else None
    period = form.cleaned_data["period"] or ("day" if report.totals.days <= DAILY_UP_TO else "week")
    periods = report.days if period == "day" else report.weeks()
    shown = DashboardForm(
        initial={"listing": listing_id, "from": report.first_day, "to": report.last_day, "period": period},
        listings=report.listings,
    )
    today = timezone.now().astimezone(ZoneInfo(report.time_zone)).date()
    quick = [
        {
            "label": label,
            "url": _link(listing=listing_id, period=period, **{"from": today - timedelta(days=days - 1), "to": today}),
            "is_current": report.last_day == today and report.totals.days == days,
        }
        for label, days in QUICK_RANGES
    ]
    range_params = {"listing": listing_id, "from": report.first_day, "to": report.last_day}
    context = {
        "form": shown,
        "report": report,
        "totals": report.totals,
        "periods": periods,
        "period": period,
        "charts": _charts(report, periods, period) if report.listings else [],
        "quick_ranges": quick,
        "day_url": _link(period="day", **range_params),
        "week_url": _link(period="week", **range_params),
        "host_tab": "dashboard",
    }
    return render(request, "analytics/dashboard.html", context)
