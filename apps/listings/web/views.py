"""Hosts' listing pages: list, create, edit, photos, (de)activate, delete — on the same services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.listings import selectors, services
from apps.listings.web.forms import ListingForm, PhotoForm

FIELDS = [name for name in ListingForm.base_fields if name not in ("latitude", "longitude")]


def _service_fields(form: ListingForm) -> dict:
    data = {field: form.cleaned_data[field] for field in FIELDS}
    data["state"] = data["state"].upper()
    latitude, longitude = form.cleaned_data.get("latitude"), form.cleaned_data.get("longitude")
    if latitude is not None and longitude is not None:
        data["location"] = Point(float(longitude), float(latitude), srid=4326)
    return data


@login_required
def my_listings(request):
    return render(request, "listings/my_listings.html", {"listings": selectors.host_listings(request.user)})


@login_required
def create(request):
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.create_listing(host=request.user, **_service_fields(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your listing is live. Add a few photos so drivers can find it.")
            return redirect("listing_edit", pk=listing.pk)
    return render(request, "listings/form.html", {"form": form, "listing": None})


@login_required
def edit(request, pk: int):
    listing = selectors.managed_listing(pk, request.user)
    initial = {field: getattr(listing, field) for field in FIELDS}
    initial.update(latitude=round(listing.location.y, 6), longitude=round(listing.location.x, 6))
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = _service_fields(form)
        if (
            form.cleaned_data.get("latitude") == initial["latitude"]
            and form.cleaned_data.get("longitude") == initial["longitude"]
        ):
            changes.pop("location", None)
        try:
            services.update_listing(listing=listing, actor=request.user, **changes)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("listing_edit", pk=listing.pk)
    context = {"form": form, "listing": listing, "photo_form": PhotoForm()}
    return render(request, "listings/form.html", context)


@login_required
@require_POST
def add_photo(request, pk: int):
    listing = selectors.managed_listing(pk, request.user)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_photo(
                listing=listing,
                actor=request.user,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, "Photo added.")
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("listing_edit", pk=pk)


@login_required
@require_POST
def delete_photo(request, pk: int, photo_id: int):
    listing = selectors.managed_listing(pk, request.user)
    photo = listing.photos.filter(pk=photo_id).first()
    if photo is not None:
        services.delete_photo(photo=photo, actor=request.user)
        messages.success(request, "Photo removed.")
    return redirect("listing_edit", pk=pk)


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
            messages.success(request, f"“{listing.title}” is back in search.")
    except DomainError as error:
        messages.error(request, error.detail)
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
