"""The editor's five steps and its stepper.

A listing exists once it has what a listing cannot do without (basics, a place, a daily price), so a new one is
built in three steps kept in the session as a draft, then published hidden: photos and availability are added to a
real listing, and the host switches it on at the end.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from apps.listings.models import Listing

DRAFT_KEY = "listing_draft"


@dataclass(frozen=True)
class Step:
    slug: str
    label: str
    number: int
    url_name: str  # for an existing listing
    draft_url_name: str | None  # for a draft, where there is one


STEPS = (
    Step("basics", "Basics", 1, "listing_edit", "listing_create"),
    Step("location", "Location", 2, "listing_location", "listing_create_location"),
    Step("pricing", "Pricing & features", 3, "listing_pricing", "listing_create_pricing"),
    Step("photos", "Photos", 4, "listing_photos", None),
    Step("availability", "Availability", 5, "listing_availability", None),
)
BY_SLUG = {step.slug: step for step in STEPS}


@dataclass(frozen=True)
class StepState:
    step: Step
    url: str | None  # None: cannot be opened yet
    is_current: bool
    is_done: bool


def stepper(current: str, *, listing: Listing | None, draft: dict | None) -> list[StepState]:
    """Each step with whether it is done and where it is (a draft has no photos or availability yet)."""
    states = []
    for step in STEPS:
        if listing is not None:
            url = reverse(step.url_name, args=[listing.pk])
            done = step.slug in ("basics", "location", "pricing") or (
                step.slug == "photos" and bool(listing.photos.all())
            )
        else:
            draft = draft or {}
            reachable = step.draft_url_name is not None and all(
                earlier.slug in draft for earlier in STEPS[: step.number - 1]
            )
            url = reverse(step.draft_url_name) if reachable else None
            done = step.slug in draft
        states.append(StepState(step=step, url=url, is_current=step.slug == current, is_done=done))
    return states


# --- The draft of a new listing ---------------------------------------------------------------------------------


def draft_of(session) -> dict:
    return session.get(DRAFT_KEY) or {}


def draft_data(session, step: str) -> QueryDict | None:
    """What the host submitted for `step` of their draft, ready to bind a form to again."""
    stored = draft_of(session).get(step)
    if stored is None:
        return None
    data = QueryDict(mutable=True)
    data.update(MultiValueDict(stored))
    return data


def save_draft_step(session, step: str, data: QueryDict, **extra: str) -> None:
    draft = draft_of(session)
    values = {key: values for key, values in data.lists() if key != "csrfmiddlewaretoken"}
    values.update({key: [value] for key, value in extra.items()})
    draft[step] = values
    session[DRAFT_KEY] = draft


def discard_draft(session) -> None:
    session.pop(DRAFT_KEY, None)
