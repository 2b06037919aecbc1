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
from corsheaders.defaults import default_headers as corsheaders_default_headers
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

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
    "corsheaders",
    "django_filters",
    "veza.admin_apps.ScheduledJobsConfig",  # django_celery_beat
    "django_countries",
    "django_otp",
    "veza.admin_apps.TwoFactorDevicesConfig",  # django_otp.plugins.otp_totp
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
    "apps.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer (health, maintenance, the envelope): errors carry CORS too.
    "corsheaders.middleware.CorsMiddleware",
    # Answers GET/HEAD /api/v1/health before anything reads the Host header (probes come by IP).
    "veza.api.health.HealthCheckMiddleware",
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
# PostgreSQL through veza/db/postgresql: Django's backend, whose per-request health check is
# skipped on a connection that served a request without error less than a second ago.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "veza.db.postgresql"
# DATABASE_URL points at PgBouncer in transaction mode: consecutive transactions of one Django
# connection may run on different server connections, so nothing may outlive a transaction.
# Each request or task connects to PgBouncer anew (cheap; PgBouncer keeps the server
# connections), no server-side cursor stays open across transactions (.iterator()), and psycopg
# never prepares statements on a server connection another client may get (Django's default
# for psycopg 3, pinned here). The code keeps no session state: advisory locks, SET and
# temporary tables are transaction-scoped (README "Scaling out").
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
if DATABASE_PGBOUNCER:
    DATABASES["default"].update(
        CONN_MAX_AGE=0,
        DISABLE_SERVER_SIDE_CURSORS=True,
        OPTIONS={**DATABASES["default"].get("OPTIONS", {}), "prepare_threshold": None},
    )
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
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # Development: the text as written, links intact (veza.email_backends).
    EMAIL_BACKEND = "veza.email_backends.ReadableConsoleEmailBackend"
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

# "memory://localhost/" rather than "memory://": kombu warns about a missing host otherwise.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://localhost/"
# Without a broker the embedded default runs tasks in-process, so one machine needs nothing else.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL.startswith("memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Two queues, so a burst of uploads never delays a password-reset mail: ``media`` holds the
# long, CPU-heavy processing (probe, HLS transcoding, lesson media), ``default`` everything else
# (emails, renewals, exports, schedules). A plain ``celery -A veza worker`` consumes both; on a
# fleet, ``-Q media`` and ``-Q default`` workers scale apart (README "Scaling out").
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("media"))
MEDIA_TASKS = ("catalog.track_process", "streaming.hls_transcode", "education.lesson_process")
CELERY_TASK_ROUTES = {name: {"queue": "media"} for name in MEDIA_TASKS}

# Time limits in seconds. The hard limit kills the task's process; the soft one, a tenth
# earlier, raises SoftTimeLimitExceeded in the task so it can mark its job failed and clean up.
# Every task gets CELERY_TASK_TIME_LIMIT; the long jobs have their own (annotations).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=10 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 9 // 10
MEDIA_TASK_TIME_LIMIT = env.int("MEDIA_TASK_TIME_LIMIT", default=30 * 60)
# A data export's build; past it the export is retried (see JOBS_MAX_ATTEMPTS) or failed.
GDPR_EXPORT_TIMEOUT_MINUTES = env.int("GDPR_EXPORT_TIMEOUT_MINUTES", default=60)
# A queued royalty report's import (1,000,000 lines take 26-40 s; a margin for far bigger ones).
ROYALTY_IMPORT_TIMEOUT_MINUTES = env.int("ROYALTY_IMPORT_TIMEOUT_MINUTES", default=30)
_LONG_TASK_TIME_LIMITS = {
    **dict.fromkeys(MEDIA_TASKS, MEDIA_TASK_TIME_LIMIT),
    "gdpr.export_build": GDPR_EXPORT_TIMEOUT_MINUTES * 60,
    "distribution.royalty_import_process": ROYALTY_IMPORT_TIMEOUT_MINUTES * 60,
}
CELERY_TASK_ANNOTATIONS = {
    name: {"time_limit": limit, "soft_time_limit": limit * 9 // 10}
    for name, limit in _LONG_TASK_TIME_LIMITS.items()
}
# Seconds added to a task's hard limit before its job counts as stalled (clock skew between
# hosts, the time a killed task takes to be reported).
JOBS_DEADLINE_MARGIN_SECONDS = env.int("JOBS_DEADLINE_MARGIN_SECONDS", default=60)
# Tasks are acknowledged after they ran (acks_late), so Redis hands an unacknowledged message
# to another worker once this many seconds passed: longer than the longest task may run, or a
# task still running would be started twice; not the one-hour default, or a job whose worker
# was lost would wait an hour. Countdowns (retries) longer than this are delivered twice, which
# the idempotent tasks that use them tolerate.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(CELERY_TASK_TIME_LIMIT, *_LONG_TASK_TIME_LIMITS.values())
    + JOBS_DEADLINE_MARGIN_SECONDS
}
# The stalled-job sweeper (veza.jobs): a job still queued or running past its deadline is sent
# again; one whose worker died JOBS_MAX_ATTEMPTS times is marked failed with the reason. A
# queued job's deadline is JOBS_QUEUE_TIMEOUT_SECONDS after it was queued (then it is sent
# again, in case the message was lost); a running job's is its task's hard limit + the margin.
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
JOBS_QUEUE_TIMEOUT_SECONDS = env.int("JOBS_QUEUE_TIMEOUT_SECONDS", default=60 * 60)
JOBS_SWEEP_INTERVAL_SECONDS = env.int("JOBS_SWEEP_INTERVAL_SECONDS", default=60)
# Each app's sweep of its own jobs, called in turn by the veza.jobs_sweep beat task.
JOBS_SWEEPERS = [
    "apps.catalog.services.tracks_requeue_stalled",
    "apps.streaming.services.hls_requeue_stalled",
    "apps.education.services.lessons_requeue_stalled",
    "apps.gdpr.services.exports_requeue_stalled",
    "apps.distribution.services.royalty_imports_requeue_stalled",
]
# Initial schedules; django-celery-beat copies them into the admin (Periodic tasks), where
# staff may change them.
CELERY_BEAT_SCHEDULE = {
    # Tracks that were ready before hls_streaming was switched on get their renditions too.
    "streaming-hls-backfill": {"task": "streaming.hls_backfill", "schedule": 300.0},
    # Expired OAuth sign-in states are deleted (apps.accounts.tasks).
    "accounts-oauth-states-prune": {"task": "accounts.oauth_states_prune", "schedule": 900.0},
    # Jobs (track and lesson processing, HLS, exports) whose worker died or whose message was
    # lost are sent again, or failed after JOBS_MAX_ATTEMPTS (veza.jobs).
    "jobs-sweep": {"task": "veza.jobs_sweep", "schedule": float(JOBS_SWEEP_INTERVAL_SECONDS)},
    # Personal data (apps.gdpr.tasks): expired export archives are deleted, and deleted
    # accounts get their final erasure once due (daily).
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
    # Webhook deliveries that are due: retries, and first attempts whose task was lost.
    "webhooks-deliveries-sweep": {"task": "webhooks.deliveries_sweep", "schedule": 30.0},
    # Webhook events and delivery logs past their retention (daily).
    "webhooks-events-prune": {"task": "webhooks.events_prune", "schedule": 86400.0},
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
# Reports up to this size are imported within their request (201/200 with the counts); bigger
# ones are stored and imported by a task (202, then GET /api/v1/royalties/imports/{id}), so no
# import outlives gunicorn's 30 s timeout. 2 MiB is about 17,500 lines, imported in 0.8 s on a
# 2-CPU machine (bench/royalties_import.py with BENCH_ROYALTY_LINES=17500): ten times slower
# would still leave the request 20 s to spare.
ROYALTY_IMPORT_SYNC_MAX_BYTES = env.int("ROYALTY_IMPORT_SYNC_MAX_BYTES", default=2 * 1024 * 1024)

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
        "veza.api.renderers.JSONRenderer",  # DRF's JSON, encoded by orjson
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["veza.api.parsers.JSONParser"],
    # An Accept header nothing satisfies gets JSON, never a 406 (the contract has none).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "veza.api.negotiation.JsonFallbackContentNegotiation",
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

# Public address of this API, the `servers` entry of the OpenAPI document (what generated
# clients and Swagger UI call). Empty: "/" (the server the document was read from).
PUBLIC_API_URL = env.str("PUBLIC_API_URL", default="").rstrip("/")

SPECTACULAR_SETTINGS = {
    "TITLE": "Veza API",
    "DESCRIPTION": (
        "Veza's HTTP API v1 for the web app, the mobile apps and integrators.\n\n"
        "**Start here.** `POST /api/v1/auth/register`, confirm the address with the emailed "
        "link, `POST /api/v1/auth/login` for an access token, then send "
        "`Authorization: Bearer <access>` (in Swagger UI: *Authorize*). Integrators use "
        "`X-API-Key` instead (`POST /api/v1/developer/api-keys`).\n\n"
        "**Errors** always use one envelope: "
        '`{"error": {"code": "SOME_CODE", "message": "...", "details": {...}}}`; `details` '
        "carries field errors for VALIDATION_ERROR. 429 RATE_LIMITED and 503 MAINTENANCE come "
        "with `Retry-After`.\n\n"
        "**Conventions.** JSON in and out (uploads are multipart); times are ISO 8601 in UTC; "
        'money is a decimal string plus `currency` (`"9.99"`, `"USD"`); lists are paginated '
        "(`count`, `next`, `previous`, `results`; feeds use cursors without `count`); "
        "`?ordering=` accepts a per-endpoint whitelist and silently falls back otherwise."
    ),
    "VERSION": __version__,
    "SERVERS": [
        {"url": PUBLIC_API_URL or "/", "description": "This Veza deployment"},
    ],
    # Every tag used by an operation has a description (tests/test_openapi_docs.py).
    "TAGS": [
        {
            "name": "auth",
            "description": "Sign-up, email verification, login and token refresh, password "
            "reset, 2FA and OAuth sign-in. Start here to get a bearer token.",
        },
        {
            "name": "users",
            "description": "The caller's account: profile, password, becoming a creator, "
            "following people, data export and account deletion.",
        },
        {
            "name": "developer",
            "description": "API keys for integrators (`X-API-Key`), managed with a bearer "
            "token or a session, never with a key.",
        },
        {
            "name": "webhooks",
            "description": (
                "Outgoing webhooks for integrators: endpoints receive signed POSTs "
                '(`Veza-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, '
                "`Veza-Event-Id`) for the event types they subscribe to, retried with "
                "exponential backoff for 3 days. The catalogue and each event's body: "
                "`GET /api/v1/developer/webhooks/event-types`."
            ),
        },
        {
            "name": "platform",
            "description": "Health, public feature flags and the staff maintenance switch.",
        },
        {
            "name": "tracks",
            "description": "The catalog: list, search, upload (content-creator roles), edit, "
            "share and report tracks.",
        },
        {
            "name": "streaming",
            "description": "Playing tracks: byte ranges and conditional requests on /stream, "
            "downloads, HLS (when the flag is on), playback events and the trending list.",
        },
        {
            "name": "playlists",
            "description": "Ordered playlists, their tracks and share links.",
        },
        {
            "name": "library",
            "description": "The caller's saved tracks and the feed of the people they follow.",
        },
        {
            "name": "billing",
            "description": "Plans, the caller's subscription (trial, upgrades, downgrades, "
            "cancellation) and invoices. Money is a decimal string plus currency.",
        },
        {
            "name": "education",
            "description": "Courses and their lessons, enrollment (paid courses are "
            "invoiced), progress, certificates and reviews.",
        },
        {
            "name": "distribution",
            "description": "Sending tracks to Spotify, Apple Music and Deezer (active Creator "
            "or Premium subscription), per-platform status and takedowns.",
        },
        {
            "name": "royalties",
            "description": "Royalties reported by the distributor, aggregated per platform, "
            "track, month or country, and the splits between collaborators.",
        },
        {
            "name": "creator analytics",
            "description": "Plays, listeners, sales, discovery and audience of the caller's "
            "own content, live sessions and CSV export. Content creators only.",
        },
        {
            "name": "messages",
            "description": "Direct conversations between two people, blocks and the token "
            "for the real-time chat server.",
        },
    ],
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
        "WebhookDeliveryStatusEnum": "apps.webhooks.models.DeliveryStatus",
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

# --- Cross-origin requests (django-cors-headers) -------------------------------------------

# Browsers on other origins (the SPA's dev server, the production front end) may call /api/
# only. In development any http(s)://localhost, 127.0.0.1 or [::1] origin (any port) may; in
# production only the origins listed in CORS_ALLOWED_ORIGINS (none by default).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOWED_ORIGIN_REGEXES = (
    [r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$"] if DEBUG else []
)
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (
    *corsheaders_default_headers,
    "x-api-key",
    "range",
    "if-none-match",
    "if-modified-since",
    "if-range",
    "if-match",
)
# Response headers a cross-origin script may read (rate limits, ranged media, caching).
CORS_EXPOSE_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "Content-Range",
    "Accept-Ranges",
    "Content-Length",
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "X-Cache",
    "Location",
]
CORS_PREFLIGHT_MAX_AGE = 60 * 60

# --- Security ----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the browsable API reads it
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # On by default with DEBUG off; a proxy that terminates TLS and talks plain HTTP without
    # X-Forwarded-Proto may need SECURE_SSL_REDIRECT=false (cookiecutter-django does the same).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load-balancer probes speak plain HTTP inside the cluster.
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host != "*"]

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way commitment for the whole domain; see README "Deploy checks".
    *([] if DEBUG else ["security.W021"]),
    # SQLite (the embedded default) cannot defer the playlist position constraint; positions
    # are then kept dense by the service alone (SQLite serialises writers).
    *(["models.W038"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []),
    # Nor can it store the non-key columns of the analytics rollups' covering indexes: SQLite
    # uses the key columns alone, the same answers a little slower (PostgreSQL in production).
    *(["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []),
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
        # Django's own logger keeps one handler (this one): with its default console handler
        # and the root's, every reloader line and request warning was printed twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
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
    # POSTs of the server pages behind the email links (apps.accounts.views).
    "email_link_page_ip": "30/h",
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

# --- Webhooks (apps.webhooks) --------------------------------------------------------------

# Webhook endpoints one account may register (README "Webhooks for integrators").
WEBHOOKS_MAX_PER_USER = env.int("WEBHOOKS_MAX_PER_USER", default=10)
# Hours a failing delivery is retried before it is given up; an endpoint whose deliveries fail
# that long without a success is disabled and its owner emailed.
WEBHOOKS_RETRY_WINDOW_HOURS = env.int("WEBHOOKS_RETRY_WINDOW_HOURS", default=72)
# Days webhook events and their delivery logs are kept (pending ones until they finish).
WEBHOOKS_LOG_RETENTION_DAYS = env.int("WEBHOOKS_LOG_RETENTION_DAYS", default=30)
# Endpoint URLs must be https:// in production; plain http is accepted while DEBUG is on.
WEBHOOKS_REQUIRE_HTTPS = not DEBUG
# TEST ONLY: deliveries may reach loopback and private addresses (a receiver on localhost).
# `manage.py check --deploy` fails while it is on with DEBUG off (webhooks.E001).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)

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
