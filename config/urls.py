from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from apps.core.health import healthz, readyz
from apps.core.security import api_docs_view, media_urlpatterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include("apps.users.api.urls")),
    path("api/v1/", include("apps.search.api.urls")),
    path("api/v1/", include("apps.listings.api.urls")),
    path("api/v1/", include("apps.bookings.api.urls")),
    path("api/v1/", include("apps.reviews.api.urls")),
    path("api/v1/", include("apps.payments.api.urls")),
    path("api/v1/", include("apps.messaging.api.urls")),
    path("api/v1/", include("apps.notifications.api.urls")),
    path("api/v1/", include("apps.analytics.api.urls")),
    path("accounts/", include("apps.users.web.urls")),
    path("host/listings/", include("apps.listings.web.urls")),
    path("host/bookings/", include("apps.bookings.web.host_urls")),
    path("host/earnings/", include("apps.payments.web.urls")),
    path("host/dashboard/", include("apps.analytics.web.urls")),
    path("bookings/", include("apps.bookings.web.urls")),
    path("reviews/", include("apps.reviews.web.urls")),
    path("inbox/", include("apps.messaging.web.urls")),
    path("notifications/", include("apps.notifications.web.urls")),
    path("", include("apps.search.web.urls")),
    path("", include("apps.core.web.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs_view(), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

# A database outage answers 503 (API error shape for the API) instead of a server error; see apps.core.observability.
handler500 = "apps.core.observability.errors.server_error"
# A URL no route matches, or a request Django refuses before any view: API.md's error shape under /api/.
handler400 = "apps.core.api.handlers.bad_request"
handler403 = "apps.core.api.handlers.permission_denied"
handler404 = "apps.core.api.handlers.not_found"

# Uploaded media with safe content types (README, "Security and hardening").
urlpatterns += media_urlpatterns()
