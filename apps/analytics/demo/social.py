"""Reviews and ratings, conversations and listing views: the people side of the demo data."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Avg, Count, DecimalField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Round

from apps.analytics.demo import catalog
from apps.analytics.demo.state import BATCH_SIZE, REVIEW_WINDOW, DemoState, Status, backdate
from apps.analytics.models import ListingView
from apps.listings.models import Listing
from apps.messaging.models import Conversation, Message, MessageRead
from apps.reviews.models import Review
from apps.users.models import User


class SocialStages(DemoState):
    # --- Reviews and ratings --------------------------------------------------------------------------------------

    def _rating(self, mean: float) -> int:
        return min(5, max(1, round(self.rng.gauss(mean, 0.8))))

    def _sub_rating(self, overall: int) -> int:
        return min(5, max(1, overall + self.rng.choice((-1, 0, 0, 0, 1))))

    def _reviews(self) -> None:
        rng, now = self.rng, self.now
        reviews: list[Review] = []
        for plan in self.plans:
            booking = plan.booking
            if booking.status != Status.COMPLETED:
                continue
            end = booking.end_datetime
            guest_at = end + timedelta(hours=rng.uniform(2, 7 * 24)) if rng.random() < 0.7 else None
            host_at = end + timedelta(hours=rng.uniform(2, 7 * 24)) if rng.random() < 0.55 else None
            guest_at = guest_at if guest_at and guest_at <= now else None
            host_at = host_at if host_at and host_at <= now else None
            written = [moment for moment in (guest_at, host_at) if moment]
            if not written:
                continue
            # Hidden until both sides have written theirs or the review window has closed.
            if len(written) == 2:
                published_at = max(written)
            elif end + REVIEW_WINDOW <= now:
                published_at = end + REVIEW_WINDOW
            else:
                published_at = None
            common = {"booking": booking, "listing": booking.listing, "is_published": published_at is not None}
            if guest_at:
                overall = self._rating(self.quality[booking.listing_id])
                review = Review(
                    reviewer=booking.guest,
                    reviewee=plan.host,
                    review_type=Review.ReviewType.GUEST_TO_HOST,
                    overall_rating=overall,
                    location_rating=self._sub_rating(overall),
                    value_rating=self._sub_rating(overall),
                    cleanliness_rating=self._sub_rating(overall),
                    communication_rating=self._sub_rating(overall),
                    title=catalog.GUEST_REVIEW_TITLES[overall],
                    comment=rng.choice(catalog.GUEST_REVIEWS[overall]),
                    published_at=published_at,
                    **common,
                )
                if published_at and rng.random() < 0.25:
                    review.response = rng.choice(catalog.HOST_RESPONSES)
                    review.response_date = min(published_at + timedelta(hours=rng.uniform(1, 48)), now)
                review.created_at = guest_at
                reviews.append(review)
            if host_at:
                overall = self._rating(4.6)
                review = Review(
                    reviewer=plan.host,
                    reviewee=booking.guest,
                    review_type=Review.ReviewType.HOST_TO_GUEST,
                    overall_rating=overall,
                    comment=rng.choice(catalog.HOST_REVIEWS[overall]),
                    published_at=published_at,
                    **common,
                )
                review.created_at = host_at
                reviews.append(review)
        moments = [review.created_at for review in reviews]  # bulk_create overwrites auto_now_add fields
        Review.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
        backdate(Review, "created_at", {review.pk: moment for review, moment in zip(reviews, moments, strict=True)})
        self.report.counts["reviews"] += len(reviews)
        user_ids = {listing.host_id for listing in self.listings} | {review.reviewee_id for review in reviews}
        self._recompute_ratings(listing_ids=[listing.pk for listing in self.listings], user_ids=user_ids)

    def _recompute_ratings(self, *, listing_ids: list[int], user_ids: set[int]) -> None:
        """A listing's rating is the average of its published guest reviews; a person's, of the published reviews
        they received. Averages are rounded half-up to two places, as on the page."""
        average_field = DecimalField(max_digits=3, decimal_places=2)

        def aggregate(reviews: models.QuerySet, group_by: str) -> tuple[Subquery, Subquery]:
            grouped = reviews.order_by().values(group_by)
            count = Subquery(grouped.annotate(count=Count("pk")).values("count"))
            average = Subquery(
                grouped.annotate(average=Round(Avg("overall_rating", output_field=average_field), 2)).values("average")
            )
            return Coalesce(count, 0), average

        published = Review.objects.filter(is_published=True)
        count, average = aggregate(
            published.filter(listing=OuterRef("pk"), review_type=Review.ReviewType.GUEST_TO_HOST), "listing"
        )
        Listing.objects.filter(pk__in=listing_ids).update(rating_count=count, rating_average=average)
        count, average = aggregate(published.filter(reviewee=OuterRef("pk")), "reviewee")
        User.objects.filter(pk__in=user_ids).update(rating_count=count, rating_average=average)

    # --- Conversations --------------------------------------------------------------------------------------------

    def _conversations(self, listing_count: int) -> None:
        rng = self.rng
        talkative = (Status.CONFIRMED, Status.PENDING, Status.COMPLETED, Status.IN_PROGRESS)
        candidates = [plan for plan in self.plans if plan.booking.status in talkative]
        chosen = rng.sample(candidates, min(len(candidates), max(3, listing_count // 6)))
        conversations: list[Conversation] = []
        threads: list[list[tuple[User, str, datetime]]] = []
        for plan in chosen:
            booking = plan.booking
            script = rng.choice(catalog.CONVERSATIONS)
            gaps = [timedelta(minutes=rng.uniform(5, 180)) for _ in script]
            moment = plan.created_at - sum(gaps, timedelta()) - timedelta(hours=rng.uniform(0, 24))
            local_start = booking.start_datetime.astimezone(ZoneInfo(booking.listing.time_zone))
            words = {
                "vehicle": f"{booking.vehicle_make} {booking.vehicle_model}",
                "near": self.landmark[booking.listing_id],
                "start": f"{local_start:%I:%M %p}".lstrip("0"),
            }
            thread = []
            for index, (line, gap) in enumerate(zip(script, gaps, strict=True)):
                moment += gap
                thread.append((booking.guest if index % 2 == 0 else plan.host, line.format(**words), moment))
            sender, text, moment = thread[-1]
            conversations.append(
                Conversation(
                    listing=booking.listing,
                    booking=booking,
                    last_message=text,
                    last_message_at=moment,
                    last_message_by=sender,
                )
            )
            threads.append(thread)
        Conversation.objects.bulk_create(conversations, batch_size=BATCH_SIZE)
        backdate(
            Conversation,
            "created_at",
            {chat.pk: thread[0][2] for chat, thread in zip(conversations, threads, strict=True)},
        )
        Participant = Conversation.participants.through
        Participant.objects.bulk_create(
            [
                Participant(conversation=chat, user=user)
                for chat, plan in zip(conversations, chosen, strict=True)
                for user in (plan.booking.guest, plan.host)
            ],
            batch_size=BATCH_SIZE,
        )
        messages: list[tuple[Message, datetime, User | None]] = []
        for chat, thread in zip(conversations, threads, strict=True):
            for index, (sender, text, moment) in enumerate(thread):
                reply = thread[index + 1] if index + 1 < len(thread) else None
                # A reply means the message was read; the last one is read once it is a day old.
                read_at = (
                    reply[2]
                    if reply
                    else (moment + timedelta(hours=2) if moment < self.now - timedelta(days=1) else None)
                )
                recipient = next(user for user, _, _ in thread if user.pk != sender.pk)
                messages.append(
                    (Message(conversation=chat, sender=sender, content=text, read_at=read_at), moment, recipient)
                )
        Message.objects.bulk_create([message for message, _, _ in messages], batch_size=BATCH_SIZE)
        backdate(Message, "created_at", {message.pk: moment for message, moment, _ in messages})
        reads = [
            MessageRead(message=message, user=recipient)
            for message, _, recipient in messages
            if message.read_at is not None
        ]
        MessageRead.objects.bulk_create(reads, batch_size=BATCH_SIZE)
        backdate(MessageRead, "read_at", {read.pk: read.message.read_at for read in reads})
        self.report.counts["conversations"] += len(conversations)
        self.report.counts["messages"] += len(messages)

    # --- Listing views ------------------------------------------------------------------------------------------

    def _views(self) -> None:
        rng = self.rng
        views: list[tuple[ListingView, datetime]] = []
        for listing in self.listings:
            for _ in range(rng.randint(5, 40)):
                viewer = rng.choice(self.guests) if rng.random() < 0.35 else None
                views.append(
                    (
                        ListingView(
                            listing=listing,
                            user=viewer,
                            session_id=f"{rng.getrandbits(128):032x}",
                            user_agent=rng.choice(catalog.USER_AGENTS),
                            referrer_url=rng.choice(("", "", "https://www.google.com/", "https://www.bing.com/")),
                            country="US",
                            city=listing.city,
                        ),
                        self.now - timedelta(days=rng.uniform(0, 90)),
                    )
                )
        ListingView.objects.bulk_create([view for view, _ in views], batch_size=BATCH_SIZE)
        backdate(ListingView, "viewed_at", {view.pk: moment for view, moment in views})
        self.report.counts["listing views"] += len(views)
