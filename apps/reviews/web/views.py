"""Reviews in the browser: write one after a completed booking, answer one about you, report one; on the same
services as the API (`apps.reviews.services`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from apps.bookings.models import Booking
from apps.bookings.selectors import booking_for_party
from apps.core.errors import DomainError
from apps.core.web.forms import add_domain_error
from apps.reviews import selectors, services
from apps.reviews.web.forms import ReportForm, ResponseForm, ReviewForm

REVIEWS_SHOWN = 50


@login_required
def my_reviews(request):
    context = {
        "about_me": list(selectors.reviews_about(request.user)[:REVIEWS_SHOWN]),
        "by_me": list(selectors.reviews_by(request.user)[:REVIEWS_SHOWN]),
    }
    return render(request, "reviews/my_reviews.html", context)


@login_required
def write(request, booking_code):
    booking = booking_for_party(booking_code, request.user)
    is_guest = booking.guest_id == request.user.pk
    existing = selectors.review_by(booking.pk, request.user)
    form = ReviewForm(request.POST or None, is_guest=is_guest)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            review = services.write_review(
                booking=booking,
                reviewer=request.user,
                ratings=form.ratings(),
                comment=form.cleaned_data["comment"],
                title=form.cleaned_data["title"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if review.is_published:
                messages.success(request, "Thank you! Both reviews are now published.")
            else:
                other = "the host" if is_guest else "the driver"
                messages.success(
                    request, f"Thank you! Your review appears once {other} writes theirs, or 14 days after the stay."
                )
            return redirect("booking_detail", booking_code=booking.booking_code)
    context = {
        "booking": booking,
        "listing": booking.listing,
        "is_guest": is_guest,
        "existing": existing,
        "is_completed": booking.status == Booking.Status.COMPLETED,
        "form": form,
    }
    return render(request, "reviews/write.html", context, status=400 if form.errors else 200)


@login_required
def respond(request, pk: int):
    review = selectors.review_visible_to(pk, request.user)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_review(review=review, responder=request.user, response=form.cleaned_data["response"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your response is published under the review.")
            return redirect("my_reviews")
    context = {"review": review, "form": form, "is_reviewee": review.reviewee_id == request.user.pk}
    return render(request, "reviews/respond.html", context, status=400 if form.errors else 200)


@login_required
def report(request, pk: int):
    review = selectors.review_visible_to(pk, request.user)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_review(review=review, reporter=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Thank you. Our team will look at this review.")
            return redirect(back or "my_reviews")
    context = {"review": review, "form": form, "next": back}
    return render(request, "reviews/report.html", context, status=400 if form.errors else 200)
