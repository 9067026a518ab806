"""Step 4 of the listing editor: photos. Upload several at once, caption, reorder (drag and drop, or the up/down
buttons for keyboards and phones), remove. Every action answers htmx with the photo panel, and a plain form post
with a redirect back to the step, so the page works without JavaScript too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.listings import selectors, services
from apps.listings.web.forms import CaptionForm, MoveForm, PhotoForm, ReorderForm
from apps.listings.web.views import editor_context


def _panel(request, listing, *, form=None, status: int = 200, note: str = "", focus: str = "", caption_form=None):
    """The photo panel (htmx), or the whole step page. `caption_form` is a refused caption, shown as typed."""
    photos = list(selectors.listing_photos(listing))
    for photo in photos:
        photo.caption_form = caption_form if caption_form is not None and caption_form.photo_id == photo.pk else None
    context = editor_context(
        request,
        "photos",
        listing=listing,
        form=form or PhotoForm(),
        photos=photos,
        note=note,
        focus=focus,
    )
    template = "listings/_photo_panel.html" if request.htmx else "listings/step_photos.html"
    return render(request, template, context, status=status)


def _done(request, listing, *, note: str, focus: str = "", error: bool = False):
    if request.htmx:
        return _panel(request, listing, note=note, focus=focus, status=422 if error else 200)
    (messages.error if error else messages.success)(request, note)
    return redirect("listing_photos", pk=listing.pk)


def _photo(listing, photo_id: int):
    photo = next((photo for photo in listing.photos.all() if photo.pk == photo_id), None)
    if photo is None:
        raise Http404("No such photo.")
    photo.listing = listing
    return photo


@login_required
def photos(request, pk: int):
    """The step page; a POST uploads one or more photos."""
    listing = selectors.managed_listing(pk, request.user)
    if request.method != "POST":
        return _panel(request, listing)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _panel(request, listing, form=form, status=422 if request.htmx else 400)
    added = 0
    for upload in form.cleaned_data["image"]:
        try:
            services.add_photo(listing=listing, actor=request.user, upload=upload, caption=form.cleaned_data["caption"])
        except DomainError as error:
            error.detail = f"{upload.name}: {error.detail}"
            add_domain_error(form, error)
        else:
            added += 1
    note = f"{added} photo{'s' if added != 1 else ''} added." if added else ""
    if form.errors:
        if not request.htmx and added:
            messages.success(request, note)
        return _panel(request, listing, form=form, note=note, status=422 if request.htmx else 400)
    if request.htmx:
        return _panel(request, listing, note=note, focus="photo-list")
    messages.success(request, note)
    return redirect("listing_photos", pk=listing.pk)


@login_required
@require_POST
def move(request, pk: int, photo_id: int):
    """One place up or down: the keyboard's (and the phone's) way to reorder."""
    listing = selectors.managed_listing(pk, request.user)
    photo = _photo(listing, photo_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _done(request, listing, note="Choose up or down.", error=True)
    order = [item.pk for item in listing.photos.all()]
    index = order.index(photo.pk)
    target = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        services.reorder_photos(listing=listing, actor=request.user, photo_ids=order)
    position = order.index(photo.pk) + 1
    return _done(
        request,
        listing,
        note=f"Photo {position} of {len(order)}.",
        focus=f"move-{form.cleaned_data['direction']}-{photo.pk}",
    )


@login_required
@require_POST
def reorder(request, pk: int):
    """The whole order at once (`photo_ids`, first to last), as drag and drop leaves it."""
    listing = selectors.managed_listing(pk, request.user)
    current = [photo.pk for photo in listing.photos.all()]
    form = ReorderForm(request.POST, photo_ids=current)
    if not form.is_valid():
        return _done(request, listing, note="That order does not match this listing's photos.", error=True)
    try:
        services.reorder_photos(listing=listing, actor=request.user, photo_ids=form.cleaned_data["photo_ids"])
    except DomainError as error:
        return _done(request, listing, note=error.detail, error=True)
    return _done(request, listing, note="New order saved.")


@login_required
@require_POST
def caption(request, pk: int, photo_id: int):
    listing = selectors.managed_listing(pk, request.user)
    photo = _photo(listing, photo_id)
    form = CaptionForm(request.POST)
    if not form.is_valid():
        form.photo_id = photo.pk
        return _panel(
            request, listing, caption_form=form, status=422 if request.htmx else 400, focus=f"caption-{photo.pk}"
        )
    services.update_photo(photo=photo, actor=request.user, caption=form.cleaned_data["caption"])
    return _done(request, listing, note="Caption saved.", focus=f"caption-{photo.pk}")


@login_required
@require_POST
def delete_photo(request, pk: int, photo_id: int):
    listing = selectors.managed_listing(pk, request.user)
    photo = _photo(listing, photo_id)
    services.delete_photo(photo=photo, actor=request.user)
    return _done(request, listing, note="Photo removed.", focus="photo-list")
