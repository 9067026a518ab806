"""Reviews in the admin: read-only rows, moderated with the publish/unpublish actions (which keep the listing's and
the reviewee's ratings right). Reports come in through the API; the "Reported" filter is the moderation queue, which
a review leaves when staff unpublish it or keep it (dismissing its reports)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.text import Truncator

from apps.core.admin import AuditTrailMixin, ModerationMixin, NamedChoicesFilter, ReadOnlyAdminMixin
from apps.reviews import services
from apps.reviews.models import Review


class ReportedFilter(NamedChoicesFilter):
    title = "reported"
    parameter_name = "reported"
    named_choices = {
        "waiting": ("Reported, not yet moderated", Q(is_reported=True, moderated_at__isnull=True)),
        "moderated": ("Reported and moderated", Q(is_reported=True, moderated_at__isnull=False)),
        "any": ("Reported", Q(is_reported=True)),
        "no": ("Not reported", Q(is_reported=False)),
    }


@admin.register(Review)
class ReviewAdmin(ModerationMixin, ReadOnlyAdminMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "listing",
        "review_type",
        "reviewer",
        "reviewee",
        "overall_rating",
        "short_comment",
        "is_published",
        "is_reported",
        "moderated_by",
        "created_at",
    )
    list_filter = (ReportedFilter, "is_published", "review_type", "overall_rating")
    search_fields = ("title", "comment", "reviewer__email", "reviewee__email", "listing__title")
    list_select_related = ("listing", "reviewer", "reviewee", "moderated_by")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("booking", "listing", "review_type", ("reviewer", "reviewee"))}),
        (
            "Ratings",
            {
                "fields": (
                    "overall_rating",
                    ("location_rating", "value_rating", "cleanliness_rating", "communication_rating"),
                )
            },
        ),
        ("Text", {"fields": ("title", "comment", "response", "response_date")}),
        (
            "Publication and moderation",
            {
                "fields": (
                    ("is_published", "published_at"),
                    ("is_reported", "report_reason"),
                    ("moderated_by", "moderated_at"),
                    ("created_at", "updated_at"),
                )
            },
        ),
        ("Audit trail", {"fields": ("audit_trail",)}),
    )
    readonly_fields = ("created_at", "updated_at", "audit_trail")
    actions = ("unpublish_reviews", "dismiss_reports", "publish_reviews")

    @admin.display(description="Comment")
    def short_comment(self, review: Review) -> str:
        return Truncator(review.comment).chars(60)

    @admin.action(description="Unpublish selected reviews", permissions=["moderate"])
    def unpublish_reviews(self, request, queryset):
        reason = self.action_reason(request)
        self.apply_service(
            request,
            queryset,
            service=lambda review: services.unpublish_review(review=review, moderator=request.user, reason=reason),
            state=lambda review: (review.is_published, review.moderated_at),
            done="Unpublished",
        )

    @admin.action(description="Keep selected reviews published and dismiss their reports", permissions=["moderate"])
    def dismiss_reports(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            service=lambda review: services.dismiss_review_report(review=review, moderator=request.user),
            state=lambda review: review.moderated_at,
            done="Reports dismissed",
        )

    @admin.action(description="Publish selected reviews", permissions=["moderate"])
    def publish_reviews(self, request, queryset):
        self.apply_service(
            request,
            queryset,
            service=lambda review: services.publish_review(review=review, moderator=request.user),
            state=lambda review: review.is_published,
            done="Published",
        )
