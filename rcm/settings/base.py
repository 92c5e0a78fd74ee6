"""Settings shared by every environment. Values that differ per deployment come from the
environment; see .env.example and README.md (Configuration)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-insecure-secret-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_htmx",
    "template_partials",
    "rcm",
    "notifications",
    "payers",
    "facilities",
    "credentialing",
    "patients",
    "authorizations",
    "consent",
    "claims",
    "denials",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rcm.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rcm.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that CSRF and authentication have run before the org transaction opens.
    "rcm.tenancy.middleware.OrgMiddleware",
]

ROOT_URLCONF = "rcm.urls"
WSGI_APPLICATION = "rcm.wsgi.application"

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
                "rcm.context_processors.org_context",
                "notifications.context_processors.unread_notifications",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL is the application's role: not a superuser, no BYPASSRLS, does not own tables.
# DATABASE_OWNER_URL is the role that owns the schema; only migrations connect with it.
DATABASE_URL = env("DATABASE_URL", "postgres://rcm_app@127.0.0.1:5432/rcm")
DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", DATABASE_URL)
RCM_DB_APP_ROLE = env("RCM_DB_APP_ROLE", dj_database_url.parse(DATABASE_URL)["USER"] or "rcm_app")
RCM_MIGRATING = env_bool("RCM_MIGRATING", False)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_OWNER_URL if RCM_MIGRATING else DATABASE_URL, conn_max_age=60
    )
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = False  # opt in per idempotent task (rcm.celery.org_task)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "rcm")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Claims submission ------------------------------------------------------------------------
# Sending a batch to the clearinghouse: a transport error (refused, dropped, timed out) is tried
# again after BACKOFF * 2^(attempt-1) seconds (jittered, at most BACKOFF_MAX), up to
# MAX_ATTEMPTS attempts in all; then the batch is marked failed and its claims go back to ready.
CLAIMS_SEND_MAX_ATTEMPTS = int(env("CLAIMS_SEND_MAX_ATTEMPTS", "6") or 6)
# Claims submitted or accepted this many days ago with no answer get a 276 (denials.jobs).
DENIALS_STATUS_FOLLOWUP_DAYS = int(env("DENIALS_STATUS_FOLLOWUP_DAYS", "30") or 30)
# Eligibility checks: coverages with a visit in the next N days and no answered check in the
# last N days are checked each night (claims.eligibility_jobs).
ELIGIBILITY_LOOKAHEAD_DAYS = int(env("ELIGIBILITY_LOOKAHEAD_DAYS", "7") or 7)
CLAIMS_SEND_BACKOFF_SECONDS = float(env("CLAIMS_SEND_BACKOFF_SECONDS", "30") or 30)
CLAIMS_SEND_BACKOFF_MAX_SECONDS = float(env("CLAIMS_SEND_BACKOFF_MAX_SECONDS", "3600") or 3600)

# --- Email -----------------------------------------------------------------------------------
# Notifications are emailed with titles and links only (never PHI). Development prints them on
# the console (rcm.settings.dev); tests keep them in memory (locmem).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "BH RCM <no-reply@localhost>")
# The site's address, for links in emails (a notification's url is a path).
RCM_BASE_URL = env("RCM_BASE_URL", "http://localhost:8000")

# --- Auth, sessions -------------------------------------------------------------------------
AUTH_USER_MODEL = "auth.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "root"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie lives this long and every request renews it.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_TIMEOUT_SECONDS", "900"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute timeout: a session ends this long after login whatever the activity.
SESSION_ABSOLUTE_TIMEOUT_SECONDS = int(env("SESSION_ABSOLUTE_TIMEOUT_SECONDS", "43200"))
# Flash messages stay server-side: some name a patient, and the default cookie storage is
# signed, not encrypted (readable by anyone who sees the cookie).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page meta tag, not the cookie

AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rcm.api.auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "rcm.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Behavioral-health RCM API",
    "DESCRIPTION": "Org-scoped API. Every path carries the organization slug.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tag operations by resource (patients, sessions, ...) rather than by the org prefix.
    "SCHEMA_PATH_PREFIX": r"/api/o/\{org_slug\}",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    # Several models have a `status`; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "SessionStatusEnum": "patients.models.Session.Status",
        "LicenseTypeEnum": "coding.types.LICENSE_CHOICES",
        "PayerLicenseTypeEnum": "coding.types.LICENSE_VALUES",
        # Sessions and their corrections share these choice sets; other models have a `kind`.
        "SessionKindEnum": "patients.models.SERVICE_KIND_CHOICES",
        "SessionModalityEnum": "patients.models.MODALITY_CHOICES",
        # A program day's services, recorded (sessions) or named (the coding preview).
        "ProgramDayServiceKindEnum": "coding.types.PROGRAM_SERVICE_CHOICES",
        "LicenseStatusEnum": "credentialing.models.License.Status",
        "ClaimStatusEnum": "claims.models.Claim.Status",
        "ClaimKindEnum": "claims.models.Claim.Kind",
        # A patient's sex and a coverage's subscriber's sex.
        "SexEnum": "patients.models.Patient.Sex",
        # Posting exceptions and credentialing alerts: open or resolved.
        "OpenResolvedStatusEnum": "denials.models.PostingException.Status",
    },
}

# --- PHI encryption -------------------------------------------------------------------------
# RCM_ENCRYPTION_KEYS: comma-separated "keyid:base64(32 bytes)", newest first. Newest encrypts,
# all decrypt. RCM_BLIND_INDEX_KEY: base64 secret for HMAC blind indexes (derived per org).
RCM_ENCRYPTION_KEYS = env(
    "RCM_ENCRYPTION_KEYS", "dev1:ZGV2LW9ubHktMzItYnl0ZS1rZXktbm90LWZvci1wcmQ="
)
RCM_BLIND_INDEX_KEY = env("RCM_BLIND_INDEX_KEY", "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LW5vdC1wcm9kIQ==")

# --- Static, i18n ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)

# PHI never reaches logs: request logging is kept at WARNING and our own loggers log ids only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

DEMO_PASSWORD = env("DEMO_PASSWORD", "demo-password-2026")
