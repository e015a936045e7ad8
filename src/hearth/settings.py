"""Hearth settings: every deployment setting comes from the environment (12-factor).

Development defaults are safe to run on a laptop; with ``HEARTH_ENV=production`` the
process refuses to start without a secret key, field-encryption keys, audit keys and
checkpoint file, and allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hearth")
    except PackageNotFoundError:
        return "unknown"


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


HEARTH_ENV = env("HEARTH_ENV", "development")
PRODUCTION = HEARTH_ENV == "production"
DEBUG = env_bool("HEARTH_DEBUG", default=not PRODUCTION)
# Demo mode exposes `manage.py demo_code`: never in production.
DEMO_MODE = env_bool("HEARTH_DEMO", default=not PRODUCTION) and not PRODUCTION

# Development-only fallbacks. They are public (in this file), so production refuses them.
_DEV_SECRET_KEY = "dev-only-insecure-hearth-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
_DEV_FIELD_KEY = "ZGV2LW9ubHktaGVhcnRoLWZpZWxkLWtleS0wMDAwMDA="  # noqa: S105
_DEV_BLIND_INDEX_KEY = "dev-only-hearth-blind-index-key"  # noqa: S105
_DEV_AUDIT_KEY = "dev-only-hearth-audit-chain-key"  # noqa: S105

SECRET_KEY = env("HEARTH_SECRET_KEY") or ("" if PRODUCTION else _DEV_SECRET_KEY)
# Newest key first; all keys decrypt; `manage.py rotate_field_keys` re-encrypts with the first.
HEARTH_FIELD_KEYS = env_list("HEARTH_FIELD_KEYS") or ([] if PRODUCTION else [_DEV_FIELD_KEY])
HEARTH_BLIND_INDEX_KEY = env("HEARTH_BLIND_INDEX_KEY") or (
    "" if PRODUCTION else _DEV_BLIND_INDEX_KEY
)
# The audit chain's HMAC keys, newest first: the first seals new rows and signs checkpoints,
# every key listed verifies the rows it sealed (so old keys stay listed after a rotation).
HEARTH_AUDIT_KEYS = env_list("HEARTH_AUDIT_KEYS") or ([] if PRODUCTION else [_DEV_AUDIT_KEY])
# Where `manage.py audit_checkpoint` appends its signed lines (besides the log).
HEARTH_AUDIT_CHECKPOINT_FILE = env("HEARTH_AUDIT_CHECKPOINT_FILE") or (
    "" if PRODUCTION else str(REPO_DIR / "audit-checkpoints.log")
)
ALLOWED_HOSTS = env_list("HEARTH_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")

if PRODUCTION:
    missing = [
        name
        for name, value in [
            ("HEARTH_SECRET_KEY", SECRET_KEY),
            ("HEARTH_FIELD_KEYS", HEARTH_FIELD_KEYS),
            ("HEARTH_BLIND_INDEX_KEY", HEARTH_BLIND_INDEX_KEY),
            ("HEARTH_AUDIT_KEYS", HEARTH_AUDIT_KEYS),
            ("HEARTH_AUDIT_CHECKPOINT_FILE", HEARTH_AUDIT_CHECKPOINT_FILE),
            ("HEARTH_ALLOWED_HOSTS", ALLOWED_HOSTS),
        ]
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "Hearth will not start in production without: " + ", ".join(missing)
        )
    if SECRET_KEY == _DEV_SECRET_KEY or _DEV_FIELD_KEY in HEARTH_FIELD_KEYS or (
            HEARTH_BLIND_INDEX_KEY == _DEV_BLIND_INDEX_KEY) or _DEV_AUDIT_KEY in HEARTH_AUDIT_KEYS:
        raise ImproperlyConfigured("Production must not use the development keys.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "hearth.platform",
    "hearth.staff",
    "hearth.notify",
    "hearth.people",
    "hearth.referrals",
    "hearth.risk",
    "hearth.marac",
    "hearth.support",
    "hearth.directory",
    "hearth.public",
    "hearth.api",
    "hearth.demo",
]

MIDDLEWARE = [
    "hearth.platform.middleware.RequestContextMiddleware",
    "hearth.platform.middleware.RefuseNulBytesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "hearth.platform.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hearth.platform.context_processors.hearth",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite by default (zero setup); PostgreSQL when DATABASE_URL points at it.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{REPO_DIR / 'hearth.sqlite3'}",
        conn_max_age=int(env("HEARTH_DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "platform.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "hearth.platform.auth.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "platform:sign_in"
LOGIN_REDIRECT_URL = "platform:home"
LOGOUT_REDIRECT_URL = "platform:sign_in"

# Second factor (django-otp). The issuer shows in authenticator apps.
OTP_TOTP_ISSUER = env("HEARTH_OTP_ISSUER", "Hearth")
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout (django-axes): after this many failures the account and address are locked.
AXES_FAILURE_LIMIT = int(env("HEARTH_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(env("HEARTH_LOCKOUT_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "platform/auth/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Sessions: in the database, idle timeout with a warning, browser-session cookies.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
HEARTH_IDLE_TIMEOUT_MINUTES = int(env("HEARTH_IDLE_TIMEOUT_MINUTES", "30"))
HEARTH_IDLE_WARNING_MINUTES = int(env("HEARTH_IDLE_WARNING_MINUTES", "2"))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "hearth.platform.views.errors.csrf_failure"

# Security headers. CSP is strict: no inline script or style, nonces only where needed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("HEARTH_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = int(env("HEARTH_HSTS_SECONDS", str(63072000 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SESSION_COOKIE_SECURE = env_bool("HEARTH_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env("HEARTH_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (env("HEARTH_PROXY_SSL_HEADER"), "https")
CSRF_TRUSTED_ORIGINS = env_list("HEARTH_CSRF_TRUSTED_ORIGINS")
# Behind a reverse proxy that sets X-Forwarded-For, the audit and lockout need the client's address.
HEARTH_TRUST_X_FORWARDED_FOR = env_bool("HEARTH_TRUST_X_FORWARDED_FOR", default=False)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Public help site (issue 7). Help pages in English at /, and at /ur/, /pl/, /pa/ (language in the
# URL, so no language cookie); staff pages stay English. The quick exit goes to a neutral site.
LANGUAGES = [("en-gb", "English"), ("ur", "اردو"), ("pl", "Polski"), ("pa", "ਪੰਜਾਬੀ")]
LOCALE_PATHS = [BASE_DIR / "public" / "locale"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
                  "django.middleware.locale.LocaleMiddleware")
HEARTH_QUICK_EXIT_URL = env("HEARTH_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather")
# Self-referral guard: seconds a person needs at least to fill the form, and hourly limits.
HEARTH_SELF_REFERRAL_MIN_SECONDS = int(env("HEARTH_SELF_REFERRAL_MIN_SECONDS", "5"))
HEARTH_SELF_REFERRAL_PER_ADDRESS_PER_HOUR = int(env("HEARTH_SELF_REFERRAL_PER_ADDRESS_PER_HOUR", "3"))
HEARTH_SELF_REFERRAL_PER_HOUR = int(env("HEARTH_SELF_REFERRAL_PER_HOUR", "30"))

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("HEARTH_STATIC_ROOT", str(REPO_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Email to staff (Django 6.1 MAILERS). Development prints mail to the console; production
# names an SMTP relay. GOV.UK Notify arrives with the notifications issue.
_EMAIL_BACKEND = env(
    "HEARTH_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_EMAIL_OPTIONS = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env("HEARTH_EMAIL_HOST", "localhost"),
        "port": int(env("HEARTH_EMAIL_PORT", "25")),
        "username": env("HEARTH_EMAIL_USER", ""),
        "password": env("HEARTH_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("HEARTH_EMAIL_TLS", default=False),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env("HEARTH_FROM_EMAIL", "hearth@localhost")
# GOV.UK Notify: without an API key messages stop in the development outbox.
HEARTH_NOTIFY_API_KEY = env("HEARTH_NOTIFY_API_KEY", "")
HEARTH_NOTIFY_BASE_URL = env("HEARTH_NOTIFY_BASE_URL", "")
# One Notify template each, whose content is ((subject)) / ((body)).
HEARTH_NOTIFY_EMAIL_TEMPLATE = env("HEARTH_NOTIFY_EMAIL_TEMPLATE", "")
HEARTH_NOTIFY_SMS_TEMPLATE = env("HEARTH_NOTIFY_SMS_TEMPLATE", "")
# The kernel's alert port (platform/ports.py): the callable that tells a member of staff of a
# refused attempt on a restricted record or a break-glass opened. notify's inbox by default.
HEARTH_ALERT_BACKEND = "hearth.notify.services.notice_send"

# Background work: a database queue run by `manage.py db_worker` (django-tasks-db).
TASKS = {"default": {"BACKEND": env("HEARTH_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# The release the health endpoint reports: set it to the deployed commit or tag.
HEARTH_VERSION = env("HEARTH_VERSION") or _package_version()
# A task still running after this long was left by a worker that died: it is queued again
# (platform/taskqueue.py). Far longer than any of Hearth's tasks takes.
HEARTH_TASK_STALE_MINUTES = int(env("HEARTH_TASK_STALE_MINUTES", "30"))

# Partner API (hearth.api, issue 4): drf-spectacular needs its schema class as DRF's default;
# each API view sets its own token authentication, JSON-only rendering and throttles.
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
                  "DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                  "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}
HEARTH_API_ANON_RATE = env("HEARTH_API_ANON_RATE", "30/min")  # calls without a valid token, per address
HEARTH_API_TOKEN_RATE = env("HEARTH_API_TOKEN_RATE", "600/min")  # calls per token

# Access model settings (ACCESS.md): how long access lasts after a relationship ends.
HEARTH_REFERRAL_LAPSE_DAYS = int(env("HEARTH_REFERRAL_LAPSE_DAYS", "90"))
HEARTH_BREAK_GLASS_HOURS = min(int(env("HEARTH_BREAK_GLASS_HOURS", "24")), 24)
# Break-glass openings one user may make in any 24 hours (the reviewer is alerted at the limit),
# and how far back an earlier opening of the same record by the same user flags a repeat.
HEARTH_BREAK_GLASS_DAILY_LIMIT = max(int(env("HEARTH_BREAK_GLASS_DAILY_LIMIT", "3")), 1)
HEARTH_BREAK_GLASS_REPEAT_DAYS = int(env("HEARTH_BREAK_GLASS_REPEAT_DAYS", "30"))

# MARAC referral thresholds (hearth.marac.criteria, issue 5): the partnership's to set (SafeLives defaults),
# and the local adult female population for the volume figure (Stoke-on-Trent: about 104,000; set yours).
HEARTH_MARAC_HIGH_RISK_SCORE = int(env("HEARTH_MARAC_HIGH_RISK_SCORE", "14"))
HEARTH_MARAC_ESCALATION_CALLOUTS = int(env("HEARTH_MARAC_ESCALATION_CALLOUTS", "3"))
HEARTH_MARAC_ESCALATION_DAYS = int(env("HEARTH_MARAC_ESCALATION_DAYS", "365"))
HEARTH_MARAC_REPEAT_DAYS = int(env("HEARTH_MARAC_REPEAT_DAYS", "365"))
HEARTH_MARAC_ADULT_WOMEN = int(env("HEARTH_MARAC_ADULT_WOMEN", "104000"))

# Logs carry no case data: the request id ties a log line to its audit rows.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hearth.platform.context.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("HEARTH_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django installs its own console handler for "django"; one handler, one line each.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS: list[str] = []
