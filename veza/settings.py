"""Veza settings: one module, driven by environment variables (django-environ).

The variables and their embedded defaults are the operations table of ``shared/API.md``. The
defaults run on a single machine with nothing else installed (SQLite, in-process cache, eager
Celery, console email). With ``DEBUG=false`` the secrets have no default, so a misconfigured
deploy fails at start instead of running unsafely.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from veza import __version__

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-veza-dev-only-key-never-use-in-production-0123456789"
_DEV_CHAT_JWT_SECRET = "veza-dev-chat-secret-never-use-in-production-0123456789abcdef"
_DEV_FIELD_ENCRYPTION_KEY = "dmV6YS1kZXYtZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="  # 32 bytes, dev only


def _secret(name: str, dev_value: str) -> str:
    """A secret: the dev value while DEBUG is on, required from the environment otherwise."""
    if DEBUG:
        return env.str(name, default=dev_value)
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return value


SECRET_KEY = _secret("SECRET_KEY", _DEV_SECRET_KEY)
CHAT_JWT_SECRET = _secret("CHAT_JWT_SECRET", _DEV_CHAT_JWT_SECRET)
FIELD_ENCRYPTION_KEY = _secret("FIELD_ENCRYPTION_KEY", _DEV_FIELD_ENCRYPTION_KEY)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [],
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

VEZA_VERSION = __version__

# --- Applications ------------------------------------------------------------------------

INSTALLED_APPS = [
    # The admin with Veza's OTP-aware site (veza.admin_site).
    "veza.admin_apps.VezaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "veza",
    "apps.accounts",
    "apps.platform_settings",
    "apps.catalog",
    "apps.streaming",
    "apps.billing",
    "apps.messaging",
    "apps.education",
    "apps.distribution",
    "apps.gdpr",
    "apps.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "veza.cache_headers.CacheHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the envelope middleware, so the API-key rate-limit headers reach every response.
    "veza.api.ratelimit.RateLimitHeadersMiddleware",
    "veza.api.middleware.ApiErrorEnvelopeMiddleware",
    "apps.platform_settings.middleware.MaintenanceMiddleware",
    "veza.response_cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "veza.urls"
WSGI_APPLICATION = "veza.wsgi.application"

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
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------

DATABASES = {
    "default": {
        **env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "veza",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "veza",
        }
    }

# --- Auth --------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# The table veza.audit.audit_record writes to.
AUDIT_LOG_MODEL = "accounts.AuditLog"
# Resolves an X-API-Key header to its key for veza.api.authentication.ApiKeyAuthentication.
API_KEY_AUTHENTICATOR = "apps.accounts.services.api_keys.api_key_authenticate"
AUTHENTICATION_BACKENDS = ["apps.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset links are single use (the token hashes the password) and short lived.
PASSWORD_RESET_TIMEOUT = 60 * 60
EMAIL_VERIFICATION_TIMEOUT = 48 * 60 * 60
LOGIN_URL = "admin:login"

# --- Internationalisation ----------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))).resolve()
# Where stored files live (track audio, covers, avatars, HLS, lesson media, GDPR archives):
# "local" (MEDIA_ROOT, the default) or "s3" (any S3-compatible object store through
# django-storages + boto3). Naming a bucket (AWS_STORAGE_BUCKET_NAME) selects "s3" by default.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="s3" if AWS_STORAGE_BUCKET_NAME else "local")
# The object store: endpoint (empty: AWS itself), region, keys (empty: boto3's own chain, e.g.
# an instance role), and an optional custom domain for public URLs. Objects are private: no
# ACL is set, and every URL the app hands out is signed: for minutes to media (STREAM_URL_TTL),
# for hours to images listed in API bodies (MEDIA_IMAGE_URL_TTL).
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="")
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="")
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="")
# Lifetime in seconds of a signed media URL (S3 presigned, or the local "signed" mode): long
# enough to start playing, short enough that a copied link soon stops working.
STREAM_URL_TTL = env.int("STREAM_URL_TTL", default=300)
# Lifetime in seconds of the signed URLs of images listed in API responses on S3 (covers,
# avatars): they must outlive the response cache (RESPONSE_CACHE_RULES, 1 h at most) and a
# client's page, so hours rather than minutes; the images carry no private audio.
MEDIA_IMAGE_URL_TTL = env.int("MEDIA_IMAGE_URL_TTL", default=6 * 60 * 60)
_S3_OPTIONS = {
    "bucket_name": AWS_STORAGE_BUCKET_NAME,
    "endpoint_url": AWS_S3_ENDPOINT_URL or None,
    "region_name": AWS_S3_REGION_NAME or None,
    "access_key": AWS_ACCESS_KEY_ID or None,
    "secret_key": AWS_SECRET_ACCESS_KEY or None,
    "custom_domain": AWS_S3_CUSTOM_DOMAIN or None,
    "default_acl": None,  # private: the bucket's policy decides, never public-read
    "querystring_auth": True,
    "querystring_expire": MEDIA_IMAGE_URL_TTL,  # .url(): images in API bodies
    "file_overwrite": False,  # same naming rule as local disk: never replace another file
    "addressing_style": "path" if AWS_S3_ENDPOINT_URL else None,
    "signature_version": "s3v4",
}
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _S3_OPTIONS}
        if STORAGE_BACKEND == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # JSON bodies; uploads stream to disk

# --- Email -------------------------------------------------------------------------------

_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _EMAIL["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _EMAIL["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _EMAIL["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _EMAIL["EMAIL_FILE_PATH"] or None
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:8000").rstrip("/")
# The sender follows the public site's host, so no extra variable is needed.
DEFAULT_FROM_EMAIL = f"Veza <no-reply@{urlsplit(FRONTEND_URL).hostname or 'localhost'}>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
# Without a broker the embedded default runs tasks in-process, so one machine needs nothing else.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Initial schedules; django-celery-beat copies them into the admin (Periodic tasks), where
# staff may change them.
CELERY_BEAT_SCHEDULE = {
    # Tracks that were ready before hls_streaming was switched on get their renditions too.
    "streaming-hls-backfill": {"task": "streaming.hls_backfill", "schedule": 300.0},
    # Expired OAuth sign-in states are deleted (apps.accounts.tasks).
    "accounts-oauth-states-prune": {"task": "accounts.oauth_states_prune", "schedule": 900.0},
    # Personal data (apps.gdpr.tasks): exports stuck in processing are failed, expired export
    # archives are deleted, and deleted accounts get their final erasure once due (daily).
    "gdpr-exports-watchdog": {"task": "gdpr.exports_watchdog", "schedule": 600.0},
    "gdpr-exports-expire": {"task": "gdpr.exports_expire", "schedule": 3600.0},
    "gdpr-hard-delete-due": {"task": "gdpr.hard_delete_due", "schedule": 86400.0},
    # Distribution: ask the provider about releases that are due (each has its own backoff).
    "distribution-poll-releases": {"task": "distribution.poll_releases", "schedule": 60.0},
    # Distribution: live releases of creators whose paid plan ended are taken down after the
    # grace period (README "Distribution and royalties").
    "distribution-enforce-eligibility": {
        "task": "distribution.enforce_eligibility",
        "schedule": 3600.0,
    },
    # Playback events are rolled up for creator analytics (apps.analytics.tasks).
    "analytics-rollup": {"task": "analytics.rollup_advance", "schedule": 300.0},
}

# --- Platform switches (see apps.platform_settings) --------------------------------------

MAINTENANCE_MODE = env.bool("MAINTENANCE_MODE", default=False)
MAINTENANCE_CACHE_TTL = env.int("MAINTENANCE_CACHE_TTL", default=10)
HLS_STREAMING = env.bool("HLS_STREAMING", default=False)
OAUTH_ALLOWED_REDIRECT_DOMAINS = env.list("OAUTH_ALLOWED_REDIRECT_DOMAINS", default=["localhost"])

# Anonymous response cache: (path prefix, namespace, seconds). Writes bump a namespace
# (veza.response_cache.response_cache_invalidate) so the next read is fresh.
RESPONSE_CACHE_RULES = [
    ("/api/v1/tracks", "tracks", 15 * 60),
    ("/api/v1/search", "search", 5 * 60),
    ("/api/v1/discover", "discover", 5 * 60),
    ("/api/v1/playlists", "playlists", 10 * 60),
    ("/api/v1/courses", "courses", 10 * 60),
    ("/api/v1/billing/plans", "billing", 60 * 60),
    ("/api/v1/features", "platform", 60),
]
# Media and per-caller paths under those prefixes are never cached.
RESPONSE_CACHE_EXCLUDE = ("/stream", "/download", "/hls/", "/plays", "/share", "/report")

# --- Billing -----------------------------------------------------------------------------

# Dotted path of the payment gateway class (apps.billing.gateways); the sandbox needs nothing.
BILLING_PAYMENT_GATEWAY = env.str(
    "BILLING_PAYMENT_GATEWAY", default="apps.billing.gateways.SandboxGateway"
)
# This deployment is a sandbox (development, staging, demo): the sandbox gateway may approve
# charges. Off by default in production, where the sandbox declines and check --deploy fails.
BILLING_SANDBOX = env.bool("BILLING_SANDBOX", default=DEBUG)

# --- Personal data (apps.gdpr) -------------------------------------------------------------

# Self-requested exports per user in any rolling 24 hours (failed ones do not count).
GDPR_EXPORTS_PER_DAY = env.int("GDPR_EXPORTS_PER_DAY", default=3)
# Days an export archive can be downloaded before it is deleted.
GDPR_EXPORT_TTL_DAYS = env.int("GDPR_EXPORT_TTL_DAYS", default=7)
# Minutes after which an export still pending or processing is failed by the watchdog.
GDPR_EXPORT_TIMEOUT_MINUTES = env.int("GDPR_EXPORT_TIMEOUT_MINUTES", default=60)
# Days between an account's deletion and its final erasure (the hard delete).
GDPR_HARD_DELETE_DAYS = env.int("GDPR_HARD_DELETE_DAYS", default=30)
# Years invoices are kept as issued after an account's deletion (tax law; DE/FR: 10).
GDPR_INVOICE_RETENTION_YEARS = env.int("GDPR_INVOICE_RETENTION_YEARS", default=10)

# --- Distribution (apps.distribution) ----------------------------------------------------

# Dotted path of the distributor class (apps.distribution.providers); the sandbox needs nothing.
DISTRIBUTION_PROVIDER = env.str(
    "DISTRIBUTION_PROVIDER", default="apps.distribution.providers.SandboxProvider"
)
# Country + registrant code that generated ISRCs start with (CC-XXX, allocated by a national
# ISRC agency). The default "ZZ" + "VZA" is a SANDBOX value no agency issues: set the real
# prefix before distributing anything for real.
ISRC_PREFIX = env.str("ISRC_PREFIX", default="ZZVZA")
# The sandbox provider's platform delays (hours to days) divided by this factor: 1440 makes a
# day pass in a minute on a development machine; 1 is real time.
DISTRIBUTION_SANDBOX_TIME_SCALE = env.float("DISTRIBUTION_SANDBOX_TIME_SCALE", default=1440.0)
# First wait between two status checks of a release; doubled after each unchanged answer, up
# to DISTRIBUTION_POLL_MAX_SECONDS.
DISTRIBUTION_POLL_BASE_SECONDS = env.int("DISTRIBUTION_POLL_BASE_SECONDS", default=60)
DISTRIBUTION_POLL_MAX_SECONDS = env.int("DISTRIBUTION_POLL_MAX_SECONDS", default=6 * 3600)
# Provider errors tolerated while submitting before a release is marked failed.
DISTRIBUTION_SUBMIT_MAX_ATTEMPTS = env.int("DISTRIBUTION_SUBMIT_MAX_ATTEMPTS", default=5)
# Days live releases stay up after the creator's paid plan ended, then they are taken down.
DISTRIBUTION_GRACE_DAYS = env.int("DISTRIBUTION_GRACE_DAYS", default=30)
# Lines per batch when importing a royalty report (memory stays flat whatever the file size).
ROYALTY_IMPORT_BATCH_SIZE = env.int("ROYALTY_IMPORT_BATCH_SIZE", default=5000)

# --- API ---------------------------------------------------------------------------------

# Reverse proxies in front of the app: the client IP is that many hops from the right of
# X-Forwarded-For (0: REMOTE_ADDR). Rate limits per IP depend on it.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's bearer tokens, refused once issued before a password change or reset
        # (User.session_version).
        "veza.api.authentication.SessionJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "veza.api.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["veza.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "veza.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "veza.api.schema.VezaAutoSchema",
    "EXCEPTION_HANDLER": "veza.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_VERSIONING_CLASS": None,
    "NUM_PROXIES": NUM_PROXIES,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Veza API",
    "DESCRIPTION": (
        "Veza's HTTP API v1. Errors always use the envelope "
        '`{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": __version__,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "apps.accounts.models.Role",
        "TrackStatusEnum": "apps.catalog.models.ProcessingStatus",
        "ReportStatusEnum": "apps.catalog.models.ReportStatus",
        "ModerationStatusEnum": "apps.catalog.models.ModerationStatus",
        "HlsStatusEnum": "apps.catalog.models.HlsStatus",
        "VisibilityEnum": "apps.catalog.models.Visibility",
        "ReportReasonEnum": "apps.catalog.models.ReportReason",
        "PlaySourceEnum": "apps.streaming.models.PlaySource",
        "CourseStatusEnum": "apps.education.models.CourseStatus",
        "CourseLevelEnum": "apps.education.models.CourseLevel",
        "LessonStatusEnum": "apps.education.models.LessonStatus",
        "MediaKindEnum": "apps.education.models.MediaKind",
        "ExportStatusEnum": "apps.gdpr.models.ExportStatus",
        "DistributionPlatformEnum": "apps.distribution.models.Platform",
        "ReleaseStatusEnum": "apps.distribution.models.ReleaseStatus",
        "ChangeSourceEnum": "apps.distribution.models.ChangeSource",
    },
    # Course slugs keep the title's script (any Unicode letter): no ASCII-only pattern.
    "PATH_CONVERTER_OVERRIDES": {
        "course_slug": {"type": "string", "maxLength": 100, "description": "The course's slug."}
    },
    # Swagger UI and Redoc come from drf-spectacular-sidecar (static files of this project, no
    # CDN); a bearer token typed into Swagger UI is not kept in localStorage.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False},
}

# --- Security ----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the browsable API reads it
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load-balancer probes speak plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host != "*"]

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way commitment for the whole domain; see README "Deploy checks".
    *([] if DEBUG else ["security.W021"]),
    # SQLite (the embedded default) cannot defer the playlist position constraint; positions
    # are then kept dense by the service alone (SQLite serialises writers).
    *(["models.W038"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []),
]

# --- Logging -----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Catalog and streaming (apps.catalog, apps.streaming) --------------------------------

# Largest accepted upload; bigger bodies get 413 before they are read (Content-Length) or as
# soon as the streamed upload passes the limit (chunked bodies).
TRACK_UPLOAD_MAX_BYTES = env.int("TRACK_UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)
# Files above this size go to a temporary file instead of memory while uploading.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# When set (e.g. "/protected-media/"), /stream and /download answer with X-Accel-Redirect to
# this internal nginx location + the stored file name; nginx then sends the bytes.
STREAM_ACCEL_REDIRECT = env.str("STREAM_ACCEL_REDIRECT", default="")
# How the bytes of /stream, /download, HLS segments and lesson media leave once Django has
# checked access (README "Serving media"). Local storage: "sendfile" (gunicorn, the kernel
# copies), "accel" (X-Accel-Redirect to STREAM_ACCEL_REDIRECT) or "signed" (302 to a short-lived
# URL that nginx's secure_link module checks, so range requests never reach Django). S3:
# "presigned" (302 to a presigned bucket URL), "accel" (X-Accel-Redirect to an nginx location
# proxying the bucket) or "proxy" (the app streams from the bucket, passing Range upstream).
STREAM_DELIVERY = env.str(
    "STREAM_DELIVERY",
    default=(
        "presigned"
        if STORAGE_BACKEND == "s3"
        else ("accel" if STREAM_ACCEL_REDIRECT else "sendfile")
    ),
)
# "signed" mode: the nginx location serving MEDIA_ROOT behind secure_link, the secret shared
# with its secure_link_md5 expression, and whether the link is bound to the client's address
# ($remote_addr in the expression; off by default: phones change networks mid-song).
STREAM_SIGNED_PREFIX = env.str("STREAM_SIGNED_PREFIX", default="/signed-media/")
STREAM_SIGNED_SECRET = env.str("STREAM_SIGNED_SECRET", default="")
STREAM_SIGNED_BIND_IP = env.bool("STREAM_SIGNED_BIND_IP", default=False)
# Request header a trusted proxy fills with the client's ISO country (e.g. "CF-IPCountry").
# Empty: plays record no country (a client-supplied header is never trusted).
PLAYS_COUNTRY_HEADER = env.str("PLAYS_COUNTRY_HEADER", default="")
# A listener's plays of one track count once per window: the track's length, at least this many
# seconds (README "Security model", play counts). Anonymous plays are also rate limited per IP
# (RATE_LIMITS["plays_anonymous_ip"], below).
PLAYS_DEDUP_MIN_SECONDS = env.int("PLAYS_DEDUP_MIN_SECONDS", default=30)
# HLS renditions (AAC bitrates in kbit/s) and segment length in seconds.
HLS_BITRATES = env.list("HLS_BITRATES", cast=int, default=[64, 128])
HLS_SEGMENT_SECONDS = env.int("HLS_SEGMENT_SECONDS", default=6)
# --- Account security: API keys, 2FA, OAuth, rate limits --------------------------------

# Staff operations over the API need a login that passed 2FA (the token's ``otp`` claim, or an
# OTP-verified admin session), like the admin site (README "Security model").
STAFF_API_REQUIRE_OTP = env.bool("STAFF_API_REQUIRE_OTP", default=not DEBUG)
# Live (not revoked, not expired) API keys one account may hold; each has its own budget.
API_KEYS_MAX_PER_USER = env.int("API_KEYS_MAX_PER_USER", default=10)

# The admin site requires a verified OTP device for staff in production (README, "Admin 2FA").
ADMIN_REQUIRE_OTP = not DEBUG
ADMIN_OTP_LOGIN_FORM = "apps.accounts.forms.AdminLoginForm"
OTP_TOTP_ISSUER = "Veza"
OTP_BACKUP_CODE_THROTTLE_FACTOR = 1

# Older FIELD_ENCRYPTION_KEY values still readable after a rotation (comma-separated).
FIELD_ENCRYPTION_KEY_FALLBACKS = env.list("FIELD_ENCRYPTION_KEY_FALLBACKS", default=[])

RATELIMIT_IP_META_KEY = "veza.api.ratelimit.client_ip"
RATELIMIT_FAIL_OPEN = True
RATE_LIMITS = {
    "login_ip": "20/5m",
    "login_account_failures": "10/15m",
    "register_ip": "10/h",
    "password_reset_ip": "10/h",
    "verify_resend_ip": "10/h",
    # Anonymous POST /tracks/{id}/plays per client IP (IPv6: per /64).
    "plays_anonymous_ip": "120/h",
    # Each sign-in start stores a state row: anonymous callers may not fill the table.
    "oauth_start_ip": "30/10m",
}

# OAuth sign-in providers, JSON: {"google": {"client_id": ..., "client_secret": ...},
# "github": {...}, "<name>": {"kind": "oidc", "authorize_url": ..., "token_url": ...,
# "userinfo_url": ..., "client_id": ..., "client_secret": ..., "scope": "openid email"}}.
OAUTH_PROVIDERS = env.json("OAUTH_PROVIDERS", default={})
OAUTH_STATE_TTL = 10 * 60
OAUTH_HTTP_TIMEOUT = 10

CHAT_TOKEN_LIFETIME = timedelta(minutes=5)

# --- Education (apps.education) -----------------------------------------------------------

# Largest lesson upload (audio or video); covers of courses are images and stay small.
EDUCATION_LESSON_UPLOAD_MAX_BYTES = env.int(
    "EDUCATION_LESSON_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024 * 1024
)
EDUCATION_COVER_MAX_BYTES = env.int("EDUCATION_COVER_MAX_BYTES", default=10 * 1024 * 1024)
# A lesson counts as completed at this accepted percent (changelog: "auto-completion at 90%").
EDUCATION_LESSON_COMPLETION_PERCENT = 90
# Public certificate verification: (requests, seconds) per client IP.
EDUCATION_CERTIFICATE_VERIFY_RATE = (60, 60)
