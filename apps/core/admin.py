"""The staff admin's shared pieces, and the admin of the audit log.

How the admin writes. Rows whose rules live in services (bookings, the money ledger, reviews, messages, analytics,
the audit log) are read-only here: staff look at them, and change them only through actions that call a service,
so every change is validated, runs in one transaction and is audit-logged like any other. The account and listing
forms hand their changes to a service rather than saving the row; notification templates, plain content without
rules, are the one thing saved as the form has it.
"""

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdminMixin

from apps.core.errors import DomainError, InvalidInput
from apps.core.geojson import parse_point
from apps.core.models import AuditLog, IdempotencyRecord
from apps.core.security import current_csp_nonce


class ReadOnlyAdminMixin:
    """Staff may look but not add, edit or delete: for rows only services write. Works on inlines too."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class ModerationActionForm(ActionForm):
    """The changelist's action bar with a reason, which moderation actions record in the audit log."""

    reason = forms.CharField(
        required=False, max_length=500, widget=forms.TextInput(attrs={"placeholder": "Reason (kept in the audit log)"})
    )


class ModerationMixin:
    """Moderation actions on read-only rows: each calls a service once per selected row.

    An action declared with `permissions=["moderate"]` is offered to staff who may change the model, even though
    the change form itself is read-only.
    """

    action_form = ModerationActionForm

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.is_staff and request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def action_reason(self, request: HttpRequest) -> str:
        return request.POST.get("reason", "").strip()

    def apply_service(
        self,
        request: HttpRequest,
        queryset: models.QuerySet,
        *,
        service: Callable[[Any], Any],
        state: Callable[[Any], Any],
        done: str,
    ) -> None:
        """Call `service(row)` for each selected row and tell the user how many rows it changed.

        Services are idempotent, so a row counts as changed when `state(row)` differs before and after the call.
        A refusal (a domain error) skips that row and is reported; it does not undo the rows already done, each of
        which was its own transaction.
        """
        changed = unchanged = 0
        refusals = []
        for row in queryset:
            before = state(row)
            try:
                after = state(service(row))
            except DomainError as error:
                refusals.append(f"{row}: {error.detail}")
                continue
            if after != before:
                changed += 1
            else:
                unchanged += 1
        summary = f"{done}: {changed}."
        if unchanged:
            summary += f" {unchanged} needed no change."
        self.message_user(request, summary, messages.SUCCESS if changed or not refusals else messages.WARNING)
        for refusal in refusals:
            self.message_user(request, refusal, messages.ERROR)


class DomainErrorsAsMessagesMixin:
    """A form whose save calls a service: a refusal by the service comes back as a message on the same page
    (the admin's transaction has rolled the attempt back) instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def admin_change_url(model: type[models.Model], object_id: Any) -> str | None:
    """The admin page of one object, or None when its model has no admin."""
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
    except NoReverseMatch:
        return None


def pretty_json(value: Any) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, default=str))


# --- Maps ---------------------------------------------------------------------------------------------------------


class PointFormField(gis_forms.PointField):
    """A point from the map widget, read by our own GeoJSON parser: GDAL never sees a spatial reference that came
    from a browser (Debian's GDAL 3.6 cannot sandbox them, see settings' gis.W001)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, GEOSGeometry):
            return value
        try:
            return parse_point(value, attr="location")
        except InvalidInput as error:
            raise ValidationError(error.detail, code="invalid_geom") from error


class MapAdminMixin(LeafletGeoAdminMixin):
    """Edit points on django-leaflet's map (its scripts are served by us, so it works offline; only the tiles
    come from `MAP_TILES_URL`)."""

    def formfield_for_dbfield(self, db_field, request=None, **kwargs):
        if isinstance(db_field, PointField):
            kwargs.setdefault("form_class", PointFormField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReadOnlyMapWidget(LeafletAdminWidget):
    """django-leaflet's admin map showing a point without letting anyone move it (for read-only pages)."""

    template_name = "leaflet/admin/widget.html"
    geom_type = "POINT"
    modifiable = False


class ReadOnlyMapMixin:
    """Adds the map's scripts to pages that show a point with `point_map`."""

    @property
    def media(self):
        return super().media + ReadOnlyMapWidget().media


def point_map(name: str, point: Any) -> str:
    if point is None:
        return "-"
    # The name only identifies the map on the page; the form around it has no such field, so nothing is posted.
    widget = ReadOnlyMapWidget()
    widget.csp_nonce = current_csp_nonce()  # its inline script runs only with the page's nonce
    return widget.render(f"{name}_map", point, attrs={"id": f"id_{name}_map"})


# --- Audit trail on an object's page -----------------------------------------------------------------------------


class AuditTrailMixin:
    """Shows, on a change page, the audit rows written about the object: newest first, in one query."""

    audit_trail_limit = 50

    @admin.display(description="Audit trail")
    def audit_trail(self, obj: models.Model | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)  # cached per process
        rows = list(
            AuditLog.objects.filter(content_type=content_type, object_id=obj.pk)
            .only("created_at", "action", "user_email", "description", "ip_address")
            .order_by("-created_at", "-id")[: self.audit_trail_limit + 1]
        )
        if not rows:
            return "No audit entries."
        table = format_html(
            "<table><thead><tr><th>When</th><th>Action</th><th>By</th><th>What</th><th>From</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row.created_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
                        row.get_action_display(),
                        row.user_email or "system",
                        Truncator(row.description).chars(200),
                        row.ip_address or "",
                    )
                    for row in rows[: self.audit_trail_limit]
                ),
            ),
        )
        everything = reverse("admin:core_auditlog_changelist") + (
            f"?content_type__id__exact={content_type.pk}&object_id={obj.pk}"
        )
        more = "Older entries: see all" if len(rows) > self.audit_trail_limit else "Open in the audit log"
        return format_html('{}<p><a href="{}">{}</a></p>', table, everything, more)


# --- The audit log itself ---------------------------------------------------------------------------------------


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit log is evidence: nobody adds, edits or deletes a row through the admin, superusers included."""

    list_display = ("created_at", "action", "actor", "target", "short_description", "ip_address")
    list_filter = ("action", "content_type")
    search_fields = ("user_email", "description", "request_path", "object_id__exact")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)
    ordering = ("-created_at", "-id")
    fields = (
        "created_at",
        "action",
        "user",
        "user_email",
        "target",
        "description",
        "ip_address",
        "user_agent",
        "request_path",
        "old_values_json",
        "new_values_json",
        "additional_data_json",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    @admin.display(description="By", ordering="user_email")
    def actor(self, entry: AuditLog) -> str:
        return entry.user_email or "system"

    @admin.display(description="Object")
    def target(self, entry: AuditLog) -> str:
        # Built from the content type alone: loading every target object would cost a query per row.
        model = entry.content_type.model_class()
        label = f"{entry.content_type.name} #{entry.object_id}"
        url = admin_change_url(model, entry.object_id) if model is not None else None
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    @admin.display(description="Description")
    def short_description(self, entry: AuditLog) -> str:
        return Truncator(entry.description).chars(80)

    @admin.display(description="Old values")
    def old_values_json(self, entry: AuditLog) -> str:
        return pretty_json(entry.old_values)

    @admin.display(description="New values")
    def new_values_json(self, entry: AuditLog) -> str:
        return pretty_json(entry.new_values)

    @admin.display(description="Additional data")
    def additional_data_json(self, entry: AuditLog) -> str:
        return pretty_json(entry.additional_data)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Stored first answers to retried requests: for looking into a client's retry, never for editing."""

    list_display = ("created_at", "user", "scope", "key", "status_code", "completed_at")
    list_filter = ("scope", "status_code")
    search_fields = ("key", "user__email", "scope")
    date_hierarchy = "created_at"
    list_select_related = ("user",)


class NamedChoicesFilter(admin.SimpleListFilter):
    """A list filter whose choices are named conditions: `named_choices = {value: (label, Q(...))}` (a moderation queue:
    waiting, handled, any, none)."""

    named_choices: dict[str, tuple[str, models.Q]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.named_choices.items()]

    def queryset(self, request, queryset):
        choice = self.named_choices.get(self.value())
        return queryset.filter(choice[1]) if choice else queryset
