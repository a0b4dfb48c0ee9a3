"""UnionPortal settings. Everything that differs per deployment comes from the environment."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Optional (a missing file is fine). Variables already in the environment win over the file;
# ENV_FILE names another file, and `make test` sets ENV_FILE=/dev/null to read none.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=True)

# Secrets: development defaults so a bare checkout runs; with DEBUG off each must come from the
# environment (see `_require_production_secrets` at the end of this file).
DEV_SECRETS = {
    "SECRET_KEY": "dev-only-insecure-key-change-me-in-production-0123456789",
    "WELFARE_DATA_KEY": "dev-only-welfare-key-not-for-production",
    "BALLOT_CHAIN_KEY": "dev-only-ballot-chain-key-not-for-production",
}
SECRET_MIN_LENGTH = 32
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRETS["SECRET_KEY"])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "treebeard",
    "unionportal.core.axes_app.AxesConfig",  # django-axes, its name translated
    "csp",
    "unionportal.core",
    "stations",
    "studios",
    "contests",
    "welfare",
    "members",
    "accounts",
    "notifications",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc served from our static files, not a CDN
    "api",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer the load balancer whatever the Host and scheme
    # (before SecurityMiddleware's HTTPS redirect and CommonMiddleware's ALLOWED_HOSTS check).
    "unionportal.health.HealthCheckMiddleware",
    # gzip for responses that carry no secret (BREACH): above the page cache and every
    # middleware that sets a cookie, so it sees the final response (unionportal.core.compression).
    "unionportal.core.compression.SafeGZipMiddleware",
    # Cached public pages for anonymous visitors, before the rest (unionportal.core.pagecache).
    "unionportal.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionportal.core.middleware.PortalLocaleMiddleware",
    "unionportal.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "unionportal.core.pwa.OfflineCacheMiddleware",  # marks the pages the service worker may keep
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # must stay last
]

ROOT_URLCONF = "unionportal.urls"
WSGI_APPLICATION = "unionportal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "unionportal.core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default so a bare machine can run the portal; production uses
# PostgreSQL through DATABASE_URL. Persistent connections matter: without them every
# PostgreSQL page pays a new connection (7-10x slower).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE transactions take the write
    # lock up front so concurrent writers queue instead of failing on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, rate limits ------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Two sites on one Redis (staging and production) keep apart by their prefixes.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=""),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Number of reverse proxies in front of the app whose X-Forwarded-For we trust (0: none).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The whole-page cache of the anonymous public pages (unionportal.core.pagecache); 0 turns it
# off (make bench measures the cold pages so).
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
# Coverage by the hour (stations/coverage.py): a walk is the straight line times this detour
# factor, shown in minutes at this walking speed.
STATIONS_DETOUR_FACTOR = env.float("STATIONS_DETOUR_FACTOR", default=1.3)
STATIONS_WALK_KMH = env.float("STATIONS_WALK_KMH", default=4.5)

# --- Authentication ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must stay first
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:desk"
LOGOUT_REDIRECT_URL = "core:home"

# Two layers against password guessing. django-axes (kept for its lock per username and
# address and for its record of attempts, visible to superusers in the back office) locks
# one (username, address) pair for an hour after AXES_FAILURE_LIMIT failures. Axes' other
# lockout parameters would lock a whole account or address for the same hour at the same low
# limit, letting anyone lock an owner out: instead the sign-in form pauses, in the shared
# cache, an account after SIGNIN_ACCOUNT_FAILURES failures from anywhere and an address after
# SIGNIN_ADDRESS_FAILURES failures on any accounts, each for a SIGNIN_THROTTLE_SECONDS
# cool-down; an address the account signed in from before is not paused for the account's
# count (unionportal.core.http).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGNIN_ACCOUNT_FAILURES = env.int("SIGNIN_ACCOUNT_FAILURES", default=10)
SIGNIN_ADDRESS_FAILURES = env.int("SIGNIN_ADDRESS_FAILURES", default=15)
SIGNIN_THROTTLE_SECONDS = env.int("SIGNIN_THROTTLE_SECONDS", default=15 * 60)
SIGNIN_KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600
AXES_CLIENT_IP_CALLABLE = "unionportal.core.http.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages come from npm (package.json + lock file), never from a CDN. ECharts
    # and the icons are served from static/build/ (scripts/build-assets.mjs, `make install`):
    # a bundle of the charts we use and a sprite of the icons we use, not the whole packages.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap/dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
    ("vendor/signature_pad", NODE_MODULES / "signature_pad/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Welfare photos and signatures: personal data, kept outside MEDIA_ROOT and served only
# through scoped views. On several app servers this is shared storage too.
WELFARE_PRIVATE_ROOT = env.path("WELFARE_PRIVATE_ROOT", default=BASE_DIR / "private" / "welfare")
# Contest entry attachments (unscreened entries' files): outside MEDIA_ROOT, served only through
# a view that checks the entry. Empty: a `contests_private` folder beside MEDIA_ROOT.
CONTESTS_PRIVATE_ROOT = env("CONTESTS_PRIVATE_ROOT", default="")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)  # off when a web server or bucket serves it

# Uploads: every image goes through unionportal.core.images (JPEG/PNG/WEBP only).
IMAGE_MAX_UPLOAD_BYTES = env.int("IMAGE_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
IMAGE_MAX_PIXELS = 40_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ----------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Map tiles: the provider is a setting (see stations.maps.TILE_PROVIDERS).
MAP_TILE_PROVIDER = env("MAP_TILE_PROVIDER", default="osm")
MAP_TILE_URL = env("MAP_TILE_URL", default="")  # overrides the provider's URL (e.g. intranet tiles)


def _plain_http_origin(url: str) -> list[str]:
    """The origin of a plain-HTTP tile server (an intranet's) for img-src, `{s}` as `*`;
    HTTPS tile hosts are covered by `https:` already."""
    parts = urlsplit(url)
    return [f"http://{parts.netloc.replace('{s}', '*')}"] if parts.scheme == "http" and parts.netloc else []


# Content Security Policy: no inline scripts; map tiles may come from the tile host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Style *attributes* only (style-src-elem stays 'self': no <style> blocks, no foreign
        # sheets). ECharts builds its tooltips as HTML with style="..." attributes whose values
        # (colours, positions) change on every hover, so no hash list ('unsafe-hashes') can
        # cover them, and it offers no nonce. An attribute style cannot load scripts and our
        # templates still use none; the risk left is CSS in markup an attacker could inject,
        # which escaping prevents anyway.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", "https:", *_plain_http_origin(MAP_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Welfare personal data and the ballot chain: keys --------------------------------------
# Key for encrypting ID numbers at rest and for their keyed lookup hash. Production must
# set it; the default only serves development and tests. To rotate: WELFARE_DATA_KEYS="new,old"
# (newest first; read under any, written under the first), run `manage.py rotate_keys`, then
# keep only the new key. WELFARE_DATA_KEY is always the first of the list.
WELFARE_DATA_KEYS = env.list("WELFARE_DATA_KEYS", default=[]) or [
    env("WELFARE_DATA_KEY", default=DEV_SECRETS["WELFARE_DATA_KEY"])
]
WELFARE_DATA_KEY = WELFARE_DATA_KEYS[0]
# Key of the contests' ballot hash chain (HMAC-SHA256): without it anyone could rewrite a
# ballot and recompute the chain. Production must set it. Versioned, never rotated in place:
# BALLOT_CHAIN_KEYS="new,old" makes new contests use the first while each contest's chain
# keeps verifying under the key it recorded (contests.chain); an old key stays listed as
# long as its contests must verify.
BALLOT_CHAIN_KEYS = env.list("BALLOT_CHAIN_KEYS", default=[]) or [
    env("BALLOT_CHAIN_KEY", default=DEV_SECRETS["BALLOT_CHAIN_KEY"])
]
BALLOT_CHAIN_KEY = BALLOT_CHAIN_KEYS[0]
for _name in ("WELFARE_DATA_KEY", "BALLOT_CHAIN_KEY"):
    if env.str(_name, default="") and env.list(_name + "S", default=[]) and globals()[_name] != env.str(_name):
        raise ImproperlyConfigured(f"{_name}S must start with {_name} when both are set (newest key first).")

# One console handler, on the root logger only: Django's own "django" and "django.server"
# handlers are replaced (they printed each dev-server line and each 403 a second time), and
# a refused request (4xx) is logged as one line without the traceback of its exception.
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_error_no_traceback": {"()": "unionportal.health.ClientErrorWithoutTraceback"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_error_no_traceback"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # The development server's request lines (INFO): shown by `make run`, one each.
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "filters": ["client_error_no_traceback"], "propagate": True},
        "django.security": {"handlers": [], "filters": ["client_error_no_traceback"], "propagate": True},
    },
}


def _require_production_secrets() -> None:
    """With DEBUG off, refuse to start on a missing, development or short secret.

    The defaults above are in the repository: a production running on them would let anyone
    with a database backup decrypt every ID number (WELFARE_DATA_KEY), forge sessions and
    password-reset links (SECRET_KEY) or rewrite ballots and their chain (BALLOT_CHAIN_KEY).
    """
    if DEBUG:
        return
    problems = []
    for name, default in DEV_SECRETS.items():
        # A key list (WELFARE_DATA_KEYS, BALLOT_CHAIN_KEYS) stands for its key; old keys are checked too.
        values = globals().get(name + "S") or [globals()[name]]
        if not (env.str(name, default="") or env.list(name + "S", default=[])):
            problems.append(f"{name} is not set")
        elif any(value == default or value.startswith("dev-only-") for value in values):
            problems.append(f"{name} is the development default")
        elif any(len(value) < SECRET_MIN_LENGTH for value in values):
            problems.append(f"{name} is shorter than {SECRET_MIN_LENGTH} characters")
    values = [globals()[name] for name in DEV_SECRETS]
    if not problems and len(set(values)) < len(values):
        problems.append("two of " + ", ".join(DEV_SECRETS) + " are the same value")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with DEBUG off: "
            + "; ".join(problems)
            + ". Set each secret in the environment to its own random value"
            + ' (e.g. python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )


_require_production_secrets()


# === Accounts (#12): one-time codes, SMS and email =========================================
# Codes reach people by SMS (a pluggable backend, `accounts.sms`) or email (Django's email
# backend). With DEBUG on (`make run`) both print to the console, so a newcomer sees the
# codes in the terminal; with DEBUG off email goes through SMTP and SMS must name a provider
# backend (the default refuses to send rather than write codes into a log).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="UnionPortal <noreply@localhost>")
SMS_BACKEND = env("SMS_BACKEND", default="accounts.sms.ConsoleBackend" if DEBUG else "accounts.sms.DisabledBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "sms")  # for accounts.sms.FileBackend
ACCOUNTS_CODE_TTL = 10 * 60  # a code expires 10 minutes after it is sent
ACCOUNTS_CODE_ATTEMPTS = 5  # wrong or right, the 6th try of one code is refused
ACCOUNTS_CODE_INTERVAL = 60  # one code per number or address every 60 s...
ACCOUNTS_CODES_PER_TARGET_HOUR = env.int("ACCOUNTS_CODES_PER_TARGET_HOUR", default=5)  # ...5 an hour
ACCOUNTS_CODES_PER_ADDRESS_HOUR = env.int("ACCOUNTS_CODES_PER_ADDRESS_HOUR", default=20)  # per client address
ACCOUNTS_CHECKS_PER_ADDRESS_HOUR = env.int("ACCOUNTS_CHECKS_PER_ADDRESS_HOUR", default=50)  # wrong codes tried
# === end of Accounts =========================================================================


# === Notifications (#14): Celery task queue and the beat schedule ==============================
# With REDIS_URL the tasks go through Redis to `celery -A unionportal worker` (deploy/celery-worker.service)
# and `celery -A unionportal beat` (deploy/celery-beat.service) runs the daily jobs below. Without it
# every task runs in process as it is sent, so `make run` works alone (and no schedule runs).
from celery.schedules import crontab  # noqa: E402

# In-process broker without Redis (tasks run eagerly then); a host named keeps kombu from
# warning "No hostname was supplied" whenever a task is sent.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env("CELERY_BROKER_URL", default=""))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "overdue-reviews": {"task": "notifications.overdue_reviews", "schedule": crontab(hour=7, minute=0)},
    "stale-stations": {"task": "notifications.stale_stations", "schedule": crontab(hour=7, minute=10)},
    "unfixed-items": {"task": "notifications.unfixed_items", "schedule": crontab(hour=7, minute=20)},
    "contest-stages": {"task": "notifications.contest_stages", "schedule": crontab(minute=5)},
    "email-digest": {"task": "notifications.email_digest", "schedule": crontab(hour=8, minute=0)},
    "purge-welfare": {"task": "notifications.purge_welfare", "schedule": crontab(hour=3, minute=30)},
    "purge-search-demand": {"task": "notifications.purge_search_demand", "schedule": crontab(hour=3, minute=40)},
    "purge-accounts": {"task": "notifications.purge_accounts", "schedule": crontab(hour=3, minute=50)},
}
# Absolute links in the email digest (e.g. "https://portal.example.org"); empty: paths only.
NOTIFICATIONS_SITE_URL = env("NOTIFICATIONS_SITE_URL", default="")
# Years after closing when the daily job anonymises welfare files (manage.py purge_welfare's rule);
# 0: the union has not decided, the job only counts them.
WELFARE_PURGE_YEARS = env.int("WELFARE_PURGE_YEARS", default=0)
# === end of Notifications ========================================================================

# === Open API and open data (api app) ========================================================
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Session auth enforces CSRF on writes; tokens (api.ApiToken, stored hashed) do not need it.
        "rest_framework.authentication.SessionAuthentication",
        "api.authentication.HashedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttle counts live in the default cache (Redis in production: shared by all workers).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.AnonThrottle", "api.throttles.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON", default="120/min"),
        "user": env("API_RATE_USER", default="600/min"),
        "checkin": env("API_RATE_CHECKIN", default="30/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UnionPortal API",
    "DESCRIPTION": "Stations, studios, contests and activities (public); field tasks (signed in or token).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
OPEN_DATA_LICENSE = env("OPEN_DATA_LICENSE", default="CC-BY-4.0")
OPEN_DATA_LICENSE_URL = env("OPEN_DATA_LICENSE_URL", default="https://creativecommons.org/licenses/by/4.0/")
# === end of Open API =========================================================================
