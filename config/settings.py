"""Settings of Parking in a Pinch, all read from environment variables.

The local set-up (`make run`, `make test`) writes the URLs of the private PostgreSQL and Redis it starts
to `var/services.env`; that file only fills variables the environment does not already set.
Production sets everything in the environment (see README, "Deployment").
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp

from apps.core import security_settings
from apps.core.observability import logging as observability_logging
from apps.core.observability import networks as observability_networks
from apps.core.observability import sentry as observability_sentry
from config import db_router as _db_router

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
services_env = VAR_DIR / "services.env"
if services_env.exists():
    environ.Env.read_env(services_env, overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=security_settings.DEVELOPMENT_SECRET_KEY)
# With DEBUG off, refuse to start on the public development key (README, "Security and hardening").
security_settings.require_secret_key(debug=DEBUG, secret_key=SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "leaflet",
    "django_htmx",
    "axes",
    "rest_framework_simplejwt.token_blacklist",
    "apps.core",
    "apps.users",
    "apps.listings",
    "apps.bookings",
    "apps.payments",
    "apps.reviews",
    "apps.messaging",
    "apps.notifications",
    "apps.analytics",
    "apps.search",
]

MIDDLEWARE = [
    # First: the request id, access log and latency cover everything below, and /metrics needs no database.
    "apps.core.observability.middleware.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Hardening (README, "Security and hardening"): production secrets checked once at start, oversized bodies
    # refused before anything reads them, the Content Security Policy and Permissions-Policy headers.
    "apps.core.security.ProductionSecretsCheck",
    "apps.core.security.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.security.CspNonceContextMiddleware",
    "apps.core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.request_context.RequestContextMiddleware",
    "apps.users.rls.RowLevelSecurityMiddleware",
    "apps.core.web.middleware.DomainErrorMiddleware",
    # Last, so that it sees the lockout flag set while authenticating and answers with our lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.notifications.context_processors.unread_badges",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgis://postgres@127.0.0.1:54329/pinch"),
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
# The statements run through `apps.core.prepared.prepared_cursor` are prepared once per connection (0: at their first
# run); every other statement is bound on the client and never prepared. DATABASE_PREPARED_STATEMENTS=false turns it
# off, for a PgBouncer in transaction mode older than 1.21 (which cannot keep a prepared statement for its client).
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
    0 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
)
# Read replicas (config/db_router.py): lag-tolerant reads (search, public listing and review pages, analytics) go to
# DATABASE_REPLICA_URLS, comma-separated, as DATABASES["replica_1"], ...; without it everything uses "default".
DATABASES.update(
    _db_router.replica_databases(env("DATABASE_REPLICA_URLS", default=""), DATABASES["default"], env.db_url_config)
)
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
if len(DATABASES) > 1:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("apps.users.rls.RowLevelSecurityMiddleware"), "config.db_router.ReplicaReadsMiddleware"
    )

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:63799/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="pinch"),
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 2,
            "SOCKET_TIMEOUT": 2,
        },
    }
}

# The cache is an optimisation: when Redis is down the site serves without it instead of failing.
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Debian 12's GDAL 3.6 cannot block file/network access from spatial references (gis.W001). We never build
# geometries from user-supplied WKT or SRS: input is GeoJSON and numbers parsed into SRID 4326 by our own code.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
AUTH_USER_MODEL = "users.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out accounts and addresses before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files only some people may see (message attachments): never under MEDIA_URL, streamed by a view that checks
    # who asks. In production point it at a private bucket (e.g. storages.backends.s3.S3Storage with no public ACL).
    "private": {"BACKEND": env("PRIVATE_FILES_STORAGE", default="apps.core.storage.PrivateFileSystemStorage")},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = env.path("PINCH_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
OUTBOX_DIR = env.path("PINCH_OUTBOX_DIR", default=str(VAR_DIR / "outbox"))

# --- Accounts and security ----------------------------------------------------------------------------------------
# Brute force: 5 failures for one account, or from one address, lock that account/address for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "apps.users.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.users.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_IP_HEADERS", default=["REMOTE_ADDR"])
# Reverse proxies in front of the app that append to X-Forwarded-For (0: clients connect directly). Lockouts and
# throttles read the client's address through it (apps.core.security.client_ip), never a header a client can forge.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "apps.core.security.client_ip"
AXES_VERBOSE = False

EMAIL_VERIFICATION_MAX_AGE_SECONDS = env.int("EMAIL_VERIFICATION_MAX_AGE_SECONDS", default=2 * 24 * 3600)
PHONE_CODE_MAX_AGE_SECONDS = env.int("PHONE_CODE_MAX_AGE_SECONDS", default=10 * 60)
PHONE_CODE_MAX_ATTEMPTS = 5
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="US")
PROFILE_PICTURE_MAX_BYTES = env.int("PROFILE_PICTURE_MAX_BYTES", default=5 * 1024 * 1024)
LISTING_PHOTO_MAX_BYTES = env.int("LISTING_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
LISTING_THUMBNAIL_SIZE = 400
MESSAGE_MAX_LENGTH = env.int("MESSAGE_MAX_LENGTH", default=4000)
MESSAGE_ATTACHMENT_MAX_BYTES = env.int("MESSAGE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
MESSAGE_MAX_ATTACHMENTS = env.int("MESSAGE_MAX_ATTACHMENTS", default=4)
LISTING_DETAIL_CACHE_SECONDS = env.int("LISTING_DETAIL_CACHE_SECONDS", default=3600)

# Fernet keys, newest first (generate one with `manage.py rotate_encryption_key --generate`).
FIELD_ENCRYPTION_KEYS = security_settings.check_field_encryption_keys(env.list("FIELD_ENCRYPTION_KEYS", default=[]))

# Row-level security: the role the application connects as is subject to policies keyed on the current user.
DATABASE_RLS_DEFAULT_CONTEXT = env("DATABASE_RLS_DEFAULT_CONTEXT", default="system")
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="pinch_app")
DATABASE_APP_PASSWORD = env("DATABASE_APP_PASSWORD", default="")

# --- Payments: the offline sandbox by default, or apps.payments.gateways.stripe.StripeGateway -------------------------
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="apps.payments.gateways.sandbox.SandboxGateway")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
# Empty means Stripe's own API; tests point it at a local fake Stripe server.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
# The SDK retries network failures and 409/5xx answers, each with the call's own idempotency key, so never twice.
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Signs incoming provider events (Stripe's `whsec_...`); the sandbox checks the same `t=...,v1=...` signature scheme.
PAYMENT_WEBHOOK_SECRET = env("PAYMENT_WEBHOOK_SECRET", default=security_settings.DEVELOPMENT_WEBHOOK_SECRET)

# --- Marketplace fees (percent of the subtotal, see apps/bookings/pricing.py) ----------------------------------------
SERVICE_FEE_PERCENT = env("SERVICE_FEE_PERCENT", default="10")
HOST_FEE_PERCENT = env("HOST_FEE_PERCENT", default="3")

# --- Outgoing messages ----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="apps.core.mail.OutboxEmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Notification delivery holds a row lock while a message is handed over: every provider call has a bounded wait.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Parking in a Pinch <no-reply@parkinginapinch.example>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

SMS_GATEWAY = env("SMS_GATEWAY", default="apps.core.sms.outbox.OutboxSmsGateway")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")
SMS_TIMEOUT_SECONDS = env.int("SMS_TIMEOUT_SECONDS", default=10)

# Push: outbox files by default, or apps.core.push.webpush.WebPushGateway (Web Push with VAPID; see README).
PUSH_GATEWAY = env("PUSH_GATEWAY", default="apps.core.push.outbox.OutboxPushGateway")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_CLAIMS_EMAIL = env("VAPID_CLAIMS_EMAIL", default="support@parkinginapinch.example")
# How long the push service keeps a message for a device that is offline.
PUSH_TTL_SECONDS = env.int("PUSH_TTL_SECONDS", default=24 * 3600)
PUSH_TIMEOUT_SECONDS = env.int("PUSH_TIMEOUT_SECONDS", default=10)

# --- API ---------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.users.api.authentication.RlsJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("THROTTLE_AUTH", default="20/min"),
        "sms": env("THROTTLE_SMS", default="5/hour"),
        # Per signed-in user and per address (apps.core.api.throttling): search (with quotes and availability),
        # bookings, messaging.
        "search_user": env("THROTTLE_SEARCH_USER", default="60/min"),
        "search_ip": env("THROTTLE_SEARCH_IP", default="120/min"),
        "bookings_user": env("THROTTLE_BOOKINGS_USER", default="30/min"),
        "bookings_ip": env("THROTTLE_BOOKINGS_IP", default="60/min"),
        "messaging_user": env("THROTTLE_MESSAGING_USER", default="60/min"),
        "messaging_ip": env("THROTTLE_MESSAGING_IP", default="120/min"),
    },
    # Behind a proxy the client address comes from X-Forwarded-For, counting NUM_PROXIES from the right.
    "NUM_PROXIES": NUM_PROXIES,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "USER_ID_FIELD": "id",
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # our login service records it, with the address
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parking in a Pinch API",
    "DESCRIPTION": "Find, book, pay for and use parking spaces; list and manage your own.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "apps.core.api.schema.document_retry_after",
        "apps.core.api.schema.describe_local_times",
    ],
}
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    # The error statuses the schema documents, by the rules of apps/core/api/schema.py.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "429", "500"],
}

# --- Backups, retention and partitions (README, "Backups and retention") ---------------------------------------------
BACKUP_DIR = env.path("BACKUP_DIR", default=str(VAR_DIR / "backups"))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)  # newest local backup files kept; 0 keeps them all
BACKUP_COMPRESS_LEVEL = env.int("BACKUP_COMPRESS_LEVEL", default=6)
BACKUP_S3_BUCKET = env("BACKUP_S3_BUCKET", default="")  # empty: backups stay local
BACKUP_S3_PREFIX = env("BACKUP_S3_PREFIX", default="backups/")
ARCHIVE_DIR = env.path("ARCHIVE_DIR", default=str(VAR_DIR / "archive"))
ARCHIVE_S3_BUCKET = env("ARCHIVE_S3_BUCKET", default="")  # empty: archives stay in ARCHIVE_DIR
ARCHIVE_S3_PREFIX = env("ARCHIVE_S3_PREFIX", default="archive/")
# Both buckets: server-side encryption AES256 (SSE-S3) or aws:kms (SSE-KMS, with S3_SSE_KMS_KEY_ID or AWS's key).
S3_SSE = env("S3_SSE", default="AES256")
S3_SSE_KMS_KEY_ID = env("S3_SSE_KMS_KEY_ID", default="")
S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default="")  # an S3-compatible service; empty is AWS
S3_REGION = env("S3_REGION", default="")
RETENTION_SEARCH_QUERIES_DAYS = env.int("RETENTION_SEARCH_QUERIES_DAYS", default=90)
RETENTION_LISTING_VIEWS_DAYS = env.int("RETENTION_LISTING_VIEWS_DAYS", default=365)
RETENTION_AUDIT_LOGS_DAYS = env.int("RETENTION_AUDIT_LOGS_DAYS", default=2557)  # 7 years, archived first
RETENTION_NOTIFICATIONS_DAYS = env.int("RETENTION_NOTIFICATIONS_DAYS", default=365)  # 0 keeps them
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=5000)
PARTITION_MONTHS_AHEAD = env.int("PARTITION_MONTHS_AHEAD", default=3)

# --- Celery ------------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message a worker took but never acknowledged (the worker died) goes back to the queue after this long. It must
# be longer than any countdown or ETA we use (retries wait 5 minutes at most), or those would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600)}
# A worker on a machine without a web process can serve its own /metrics (README, "Observability").
CELERY_WORKER_METRICS_PORT = env.int("CELERY_WORKER_METRICS_PORT", default=0)
CELERY_WORKER_METRICS_ADDRESS = env("CELERY_WORKER_METRICS_ADDRESS", default="127.0.0.1")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Celery's Django fixup closes every database connection before and after each task unless this is set, whatever
# CONN_MAX_AGE says (celery#4116, its fix reverted by celery#9824): a new PostgreSQL connection (and its setup
# statements) per task, most of what a notification cost the worker. With it, the fixup closes them only every this
# many tasks, and config/celery.py treats tasks as Django treats requests: `close_old_connections()` before and
# after each one (CONN_MAX_AGE, health checks, connections left broken).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    "expire-pending-bookings": {"task": "apps.bookings.tasks.expire_pending_bookings", "schedule": 300.0},
    "publish-due-reviews": {"task": "apps.reviews.tasks.publish_due_reviews", "schedule": 3600.0},
    "send-booking-reminders": {"task": "apps.notifications.tasks.send_booking_reminders", "schedule": 300.0},
    "requeue-stuck-notifications": {
        "task": "apps.notifications.tasks.requeue_stuck_notifications",
        "schedule": 300.0,
    },
    "weekly-payouts": {
        "task": "apps.payments.tasks.run_payouts",
        "schedule": crontab(minute=0, hour=6, day_of_week="monday"),
    },
    "create-partitions-ahead": {
        "task": "apps.core.tasks.create_partitions_ahead",
        "schedule": crontab(minute=15, hour=2),
    },
    "cleanup-old-data": {"task": "apps.core.tasks.cleanup_old_data", "schedule": crontab(minute=30, hour=3)},
    "refresh-search-marks": {
        "task": "apps.bookings.tasks.refresh_search_marks",
        "schedule": crontab(minute=45, hour=3),
    },
    "flush-analytics": {
        "task": "apps.analytics.tasks.flush_analytics",
        "schedule": float(env.int("ANALYTICS_FLUSH_SECONDS", default=10)),
        "options": {"expires": 60},
    },
}
# Views and searches wait in a Redis buffer for the flush above (apps/analytics/buffer.py): rows a transaction,
# and the most kept per kind if no flush runs for long (the oldest are dropped).
ANALYTICS_BUFFER_URL = env("ANALYTICS_BUFFER_URL", default=REDIS_URL)  # a Redis that never evicts keys
ANALYTICS_FLUSH_BATCH = env.int("ANALYTICS_FLUSH_BATCH", default=1000)
ANALYTICS_BUFFER_MAX_ROWS = env.int("ANALYTICS_BUFFER_MAX_ROWS", default=1_000_000)

# --- Geocoding: offline ZIP centroids by default; GoogleGeocoder / NominatimGeocoder for real addresses ---------------
GEOCODER = env("GEOCODER", default="apps.listings.geocoding.zipcodes.ZipCentroidGeocoder")
GOOGLE_MAPS_API_KEY = env("GOOGLE_MAPS_API_KEY", default="")
NOMINATIM_USER_AGENT = env("NOMINATIM_USER_AGENT", default="parking-in-a-pinch")
GEOCODER_DOMAIN = env("GEOCODER_DOMAIN", default="")
GEOCODER_SCHEME = env("GEOCODER_SCHEME", default="https")
GEOCODER_TIMEOUT_SECONDS = env.int("GEOCODER_TIMEOUT_SECONDS", default=5)

# --- Maps --------------------------------------------------------------------------------------------------------
MAP_TILES_URL = env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (39.5, -98.35),
    "DEFAULT_ZOOM": 4,
    "TILES": [("OpenStreetMap", MAP_TILES_URL, {"attribution": "&copy; OpenStreetMap contributors", "maxZoom": 19})],
}

# --- Security and hardening (README, "Security and hardening") -----------------------------------------------------
# `manage.py check --deploy` passes with DJANGO_DEBUG=false. Web and worker processes with DEBUG off also refuse to
# start without FIELD_ENCRYPTION_KEYS and a real PAYMENT_WEBHOOK_SECRET (apps.core.security.ProductionSecretsCheck).
REQUIRE_PRODUCTION_SECRETS = not DEBUG

# HTTPS only in production. Behind a TLS-terminating proxy that always overwrites the header, set
# DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto so that Django knows which requests came in over HTTPS.
SECURE_PROXY_SSL_HEADER = security_settings.proxy_ssl_header(env("DJANGO_SECURE_PROXY_SSL_HEADER", default=""))
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes and scrapers inside the network may use plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # pages send the CSRF token from the form, not the cookie
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Cross-origin requests (map tiles) carry our origin only: OpenStreetMap's tile policy asks for a referrer.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# Content Security Policy (django-csp). Inline <script>/<style> need nonce="{{ request.csp_nonce }}"; inline style
# and event-handler attributes are not allowed (Leaflet styles elements through the CSSOM, which CSP permits).
_CSP_DIRECTIVES = {
    "default-src": [csp.SELF],
    "script-src": [csp.SELF, csp.NONCE],
    "style-src": [csp.SELF, csp.NONCE],
    "img-src": [csp.SELF, "data:", *filter(None, [security_settings.tile_source(MAP_TILES_URL)])],
    "connect-src": [csp.SELF],
    "font-src": [csp.SELF],
    "object-src": [csp.NONE],
    "base-uri": [csp.SELF],
    "frame-ancestors": [csp.NONE],
    "form-action": [csp.SELF],
    "upgrade-insecure-requests": not DEBUG,
}
if CSP_REPORT_URI := env("CSP_REPORT_URI", default=""):
    _CSP_DIRECTIVES["report-uri"] = [CSP_REPORT_URI]
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only: browsers report, nothing breaks.
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

# Browser features pages may use: geolocation for "near me", nothing else.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "fullscreen": ["self"],
    **{
        feature: []
        for feature in (
            "camera",
            "microphone",
            "payment",
            "usb",
            "serial",
            "midi",
            "accelerometer",
            "gyroscope",
            "magnetometer",
            "display-capture",
            "xr-spatial-tracking",
            "browsing-topics",
        )
    },
}

# Request sizes. JSON bodies and form fields: DATA_UPLOAD_MAX_MEMORY_SIZE. Uploads (multipart): the largest a user
# may send in one request (4 message attachments of 10 MB) plus the form. Over either: 413. Uploaded files above
# FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2560 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=500)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=10)
_LARGEST_UPLOAD = max(
    LISTING_PHOTO_MAX_BYTES, PROFILE_PICTURE_MAX_BYTES, MESSAGE_MAX_ATTACHMENTS * MESSAGE_ATTACHMENT_MAX_BYTES
)
REQUEST_MAX_UPLOAD_BYTES = env.int("REQUEST_MAX_UPLOAD_BYTES", default=_LARGEST_UPLOAD + DATA_UPLOAD_MAX_MEMORY_SIZE)

# Uploaded media (listing photos, profile pictures) served by the app with safe headers (apps.core.security); set
# SERVE_MEDIA=false when the proxy or a bucket serves MEDIA_URL instead (README shows the headers it must add).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
MEDIA_CACHE_SECONDS = env.int("MEDIA_CACHE_SECONDS", default=3600)

# --- Observability: logs, errors, metrics (README, "Observability") -----------------------------------------------
# JSON lines with the request id in production, plain text for local development.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = observability_logging.logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
# One access-log line per request (the proxy logs them too; runserver prints its own in development).
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=not DEBUG)

# /metrics: for these addresses when they connect directly (not through the proxy), or with this bearer token.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
observability_networks.ip_networks(METRICS_ALLOWED_IPS, name="METRICS_ALLOWED_IPS")  # refuse a typo at start

# Sentry (or GlitchTip) when a DSN is given; without one errors are only logged.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = observability_sentry.sample_rate(
    env("SENTRY_TRACES_SAMPLE_RATE", default="0"), name="SENTRY_TRACES_SAMPLE_RATE"
)
observability_sentry.init_sentry(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)
