"""Step 5 of the listing editor: availability. A month calendar shows which days are open, closed or at another
price; a click on a day adds a date exception there; recurring rules are listed, added, changed and removed. All on
the listing services; htmx answers with the availability panel (the calendar, the lists and the forms)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.listings import selectors, services
from apps.listings.web.forms import DAY_CHOICES, ExceptionForm, MonthForm, RuleForm
from apps.listings.web.views import editor_context

WEEKDAY_NAMES = [
    ("Monday", "Mon"),
    ("Tuesday", "Tue"),
    ("Wednesday", "Wed"),
    ("Thursday", "Thu"),
    ("Friday", "Fri"),
    ("Saturday", "Sat"),
    ("Sunday", "Sun"),
]


def _month_of(request, listing) -> tuple[int, int, date | None, str]:
    """The month to show from `?month=` (or the month of `?date=`), the day picked, and a note when unreadable."""
    form = MonthForm(request.GET if request.method == "GET" else request.POST)
    today = selectors.listing_today(listing)
    if not form.is_valid():
        return today.year, today.month, None, "That month could not be read, so here is the current one."
    picked = form.cleaned_data["date"]
    if form.cleaned_data["month"]:
        year, month = form.cleaned_data["month"]
    elif picked is not None:
        year, month = picked.year, picked.month
    else:
        year, month = today.year, today.month
    return year, month, picked, ""


def _panel(
    request,
    listing,
    *,
    rule_form=None,
    exception_form=None,
    editing_rule=None,
    status: int = 200,
    note: str = "",
    focus: str = "",
):
    year, month, picked, month_note = _month_of(request, listing)
    calendar = selectors.listing_calendar(listing, year=year, month=month)
    if exception_form is None:
        exception_form = ExceptionForm(initial={"exception_date": picked} if picked else None)
    if rule_form is None:
        rule_form = RuleForm(initial={"start_date": calendar.today})
    for rule in calendar.rules:
        rule.day_names = [name for value, name in DAY_CHOICES if value in rule.days_of_week]
    picked_exception = next((e for e in calendar.upcoming_exceptions if picked and e.exception_date == picked), None)
    context = editor_context(
        request,
        "availability",
        listing=listing,
        calendar=calendar,
        month_value=f"{year:04d}-{month:02d}",
        picked=picked,
        picked_exception=picked_exception,
        rule_form=rule_form,
        exception_form=exception_form,
        editing_rule=editing_rule,
        note=note or month_note,
        focus=focus,
        weekday_names=WEEKDAY_NAMES,
    )
    template = "listings/_availability_panel.html" if request.htmx else "listings/step_availability.html"
    return render(request, template, context, status=status)


def _done(request, listing, *, note: str, focus: str = ""):
    if request.htmx:
        return _panel(request, listing, note=note, focus=focus)
    messages.success(request, note)
    month = request.POST.get("month", "")
    query = f"?month={month}" if MonthForm({"month": month}).is_valid() and month else ""
    return redirect(reverse("listing_availability", args=[listing.pk]) + query)


def _failed(request, listing, **forms):
    return _panel(request, listing, status=422 if request.htmx else 400, **forms)


def _rule(listing, rule_id: int):
    rule = selectors.listing_rules(listing).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule.")
    rule.listing = listing
    return rule


@login_required
def availability(request, pk: int):
    listing = selectors.managed_listing(pk, request.user)
    return _panel(request, listing)


@login_required
def exception_create(request, pk: int):
    """GET: the exception form for the day clicked on the calendar (`?date=`). POST: add the exception."""
    listing = selectors.managed_listing(pk, request.user)
    if request.method != "POST":
        return _panel(request, listing, focus="exception-form")
    form = ExceptionForm(request.POST)
    if form.is_valid():
        try:
            exception = services.create_exception(listing=listing, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            day = exception.exception_date
            state = "open" if exception.is_available else "closed"
            return _done(request, listing, note=f"{day:%a %b} {day.day} is now {state}.", focus=f"day-{day:%Y-%m-%d}")
    return _failed(request, listing, exception_form=form)


@login_required
@require_POST
def exception_delete(request, pk: int, exception_id: int):
    listing = selectors.managed_listing(pk, request.user)
    exception = selectors.listing_exceptions(listing).filter(pk=exception_id).first()
    if exception is None:
        raise Http404("No such exception.")
    exception.listing = listing
    services.delete_exception(exception=exception, actor=request.user)
    day = exception.exception_date
    return _done(request, listing, note=f"{day:%a %b} {day.day} follows the rules again.", focus=f"day-{day:%Y-%m-%d}")


@login_required
@require_POST
def rule_create(request, pk: int):
    listing = selectors.managed_listing(pk, request.user)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.create_rule(listing=listing, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, listing, note="Rule added.", focus="rules")
    return _failed(request, listing, rule_form=form)


@login_required
def rule_edit(request, pk: int, rule_id: int):
    listing = selectors.managed_listing(pk, request.user)
    rule = _rule(listing, rule_id)
    if request.method != "POST":
        form = RuleForm(initial=RuleForm.initial_for(rule))
        return _panel(request, listing, rule_form=form, editing_rule=rule, focus="rule-form")
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.update_rule(rule=rule, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, listing, note="Rule saved.", focus="rules")
    return _failed(request, listing, rule_form=form, editing_rule=rule)


@login_required
@require_POST
def rule_delete(request, pk: int, rule_id: int):
    listing = selectors.managed_listing(pk, request.user)
    rule = _rule(listing, rule_id)
    services.delete_rule(rule=rule, actor=request.user)
    return _done(request, listing, note="Rule removed.", focus="rules")
