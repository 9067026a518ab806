"""Hosts' listing pages: their listings, and the editor's first three steps (basics, location, pricing & features)
for a new listing (a draft in the session until it can be published) or an existing one, on the same services as
the API. Photos and availability are in `photo_views` and `availability_views`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.listings import selectors, services
from apps.listings.geocoding import Address, GeocodingError, geocode
from apps.listings.web import steps
from apps.listings.web.forms import AddressForm, BasicsForm, LocationForm, PricingForm

STEP_FORMS = {"basics": BasicsForm, "location": LocationForm, "pricing": PricingForm}
ADDRESS_FIELDS = ("address", "city", "state", "zip_code")


def editor_context(request, step: str, *, listing=None, **extra) -> dict:
    draft = steps.draft_of(request.session) if listing is None else None
    current = steps.BY_SLUG[step]
    states = steps.stepper(step, listing=listing, draft=draft)
    return {
        "listing": listing,
        "step": current,
        "steps": states,
        "previous_url": states[current.number - 2].url if current.number > 1 else None,
        "step_count": len(steps.STEPS),
        "next_step": steps.STEPS[current.number] if current.number < len(steps.STEPS) else None,
        **extra,
    }


def _render_step(request, step: str, form, *, listing=None, status: int = 200, **extra):
    context = editor_context(request, step, listing=listing, form=form, **extra)
    if step == "location":
        context.update(_map_context())
    return render(request, f"listings/step_{step}.html", context, status=status)


def _map_context() -> dict:
    """The map's tiles and where it starts when there is no pin yet (the script reads the pin from the fields)."""
    return {
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_default": settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (39.5, -98.35)),
    }


def _point(cleaned: dict) -> Point | None:
    latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
    if latitude is None or longitude is None:
        return None
    return Point(float(longitude), float(latitude), srid=4326)


def _step_initial(listing, step: str) -> dict:
    form_class = STEP_FORMS[step]
    initial = {name: getattr(listing, name) for name in form_class.base_fields if hasattr(listing, name)}
    if step == "location":
        initial.update(latitude=round(listing.location.y, 6), longitude=round(listing.location.x, 6))
    return initial


def _next_url(listing, step: str) -> str:
    following = steps.STEPS[steps.BY_SLUG[step].number]
    return reverse(following.url_name, args=[listing.pk])


@login_required
def my_listings(request):
    context = {"listings": selectors.host_listings(request.user), "has_draft": bool(steps.draft_of(request.session))}
    return render(request, "listings/my_listings.html", context)


# --- A new listing: three steps kept as a draft, then published hidden --------------------------------------------


def _missing_draft_step(request, step: str):
    """Redirect to the first earlier step the draft lacks, or None."""
    draft = steps.draft_of(request.session)
    for earlier in steps.STEPS[: steps.BY_SLUG[step].number - 1]:
        if earlier.slug not in draft:
            messages.info(request, f"Fill in “{earlier.label}” first.")
            return redirect(earlier.draft_url_name)
    return None


@login_required
def create(request):
    """Step 1 of a new listing."""
    if request.method == "POST" and "discard" in request.POST:
        steps.discard_draft(request.session)
        messages.success(request, "Draft discarded.")
        return redirect("listing_create")
    form = BasicsForm(request.POST if request.method == "POST" else steps.draft_data(request.session, "basics"))
    if request.method == "POST" and form.is_valid():
        steps.save_draft_step(request.session, "basics", request.POST)
        return redirect("listing_create_location")
    return _render_step(request, "basics", form)


@login_required
def create_location(request):
    """Step 2 of a new listing: the address, placed on the map by the geocoder unless the host moved the pin."""
    if missing := _missing_draft_step(request, "location"):
        return missing
    form = LocationForm(request.POST if request.method == "POST" else steps.draft_data(request.session, "location"))
    if request.method == "POST" and form.is_valid():
        point = _point(form.cleaned_data)
        if point is None:
            try:
                point = geocode(Address(*(form.cleaned_data[field] for field in ADDRESS_FIELDS)))
            except GeocodingError as error:
                form.add_error("address", str(error))
        if point is not None:
            coordinates = {"latitude": f"{point.y:.6f}", "longitude": f"{point.x:.6f}"}
            steps.save_draft_step(request.session, "location", request.POST, **coordinates)
            return redirect("listing_create_pricing")
    return _render_step(request, "location", form)


@login_required
def create_pricing(request):
    """Step 3 of a new listing; saving it publishes the listing, hidden until the host activates it."""
    if missing := _missing_draft_step(request, "pricing"):
        return missing
    form = PricingForm(request.POST if request.method == "POST" else steps.draft_data(request.session, "pricing"))
    if request.method == "POST" and form.is_valid():
        basics = BasicsForm(steps.draft_data(request.session, "basics"))
        location = LocationForm(steps.draft_data(request.session, "location"))
        for earlier, earlier_form in (("basics", basics), ("location", location)):
            if not earlier_form.is_valid():
                messages.error(request, "Please check this step again.")
                return redirect(steps.BY_SLUG[earlier].draft_url_name)
        fields = basics.cleaned_data | {field: location.cleaned_data[field] for field in ADDRESS_FIELDS}
        try:
            listing = services.create_listing(
                host=request.user,
                location=_point(location.cleaned_data),
                is_active=False,
                **fields,
                **form.cleaned_data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            steps.discard_draft(request.session)
            messages.success(request, "Saved. Your listing stays hidden until you activate it: add photos first.")
            return redirect("listing_photos", pk=listing.pk)
    return _render_step(request, "pricing", form)


# --- An existing listing: each step saves through update_listing --------------------------------------------------


def _edit_step(request, pk: int, step: str):
    listing = selectors.managed_listing(pk, request.user)
    initial = _step_initial(listing, step)
    form = STEP_FORMS[step](request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name not in ("latitude", "longitude")}
        # The pin is where drivers are sent: once placed it wins over the address, which is geocoded again only
        # when the host cleared the pin.
        location = _point(form.cleaned_data) if step == "location" and form.has_changed() else None
        try:
            if changes or location is not None:
                services.update_listing(listing=listing, actor=request.user, location=location, **changes)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            if "stay" in request.POST:
                return redirect(request.path)
            return redirect(_next_url(listing, step))
    return _render_step(request, step, form, listing=listing)


@login_required
def edit(request, pk: int):
    return _edit_step(request, pk, "basics")


@login_required
def edit_location(request, pk: int):
    return _edit_step(request, pk, "location")


@login_required
def edit_pricing(request, pk: int):
    return _edit_step(request, pk, "pricing")


@login_required
@require_GET
def geocode_address(request):
    """Where the address is, to place the pin before saving (htmx: a status line carrying the point)."""
    form = AddressForm(request.GET)
    context, status = {}, 200
    if not form.is_valid():
        context["error"] = next(iter(form.errors.values()))[0]
        status = 422
    else:
        try:
            point = geocode(Address(*(form.cleaned_data[field] for field in ADDRESS_FIELDS)))
        except GeocodingError as error:
            context["error"], status = str(error), 422
        else:
            context.update(latitude=f"{point.y:.6f}", longitude=f"{point.x:.6f}")
    return render(request, "listings/_geocode_status.html", context, status=status)


# --- Going live, and leaving ----------------------------------------------------------------------------------------


@login_required
@require_POST
def toggle_active(request, pk: int):
    listing = selectors.managed_listing(pk, request.user)
    try:
        if listing.is_active:
            services.deactivate_listing(listing=listing, actor=request.user)
            messages.success(request, f"“{listing.title}” is hidden from search.")
        else:
            services.activate_listing(listing=listing, actor=request.user)
            messages.success(request, f"“{listing.title}” is live: drivers can find and book it.")
    except DomainError as error:
        messages.error(request, error.detail)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("my_listings")


@login_required
def delete(request, pk: int):
    listing = selectors.managed_listing(pk, request.user)
    if request.method == "POST":
        try:
            services.delete_listing(listing=listing, actor=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("listing_edit", pk=pk)
        messages.success(request, f"“{listing.title}” was deleted.")
        return redirect("my_listings")
    return render(request, "listings/delete.html", {"listing": listing})
