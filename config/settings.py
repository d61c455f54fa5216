"""Settings, read from environment variables.

Development defaults are safe to run locally; with DEBUG off the site refuses to start without a
SECRET_KEY, the same way healthchecks does it.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.grader_options import grader_options
from config.log import admins_from_environment, logging_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-insecure-key"  # noqa: S105 - never used with DEBUG off

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "config.apps.CourseAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "accounts",
    "content",
    "quizzes",
    "courses",
    "analytics",
    "playground",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "quizzes.context_processors.key_python_versions",
                "accounts.context_processors.user_is_instructor",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server and each statement a connection sends again prepared once
    # (psycopg's prepare_threshold): an exam's requests send the same few statements thousands
    # of times, and PostgreSQL parsed and planned each one anew. Off behind a connection pooler
    # in transaction mode (PgBouncer before 1.21), which cannot keep a prepared statement.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, so concurrent writers queue instead of
    # failing with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")

# --- Exam day: SQLite holds a class (issue 14 section 1, examday) -------------------------------
# WAL lets pages read while one writer commits (the default journal blocks readers during every
# write); a writer waits up to SQLITE_BUSY_TIMEOUT seconds for the write lock, then the request is
# answered 503 with Retry-After (config.busy), never a 500. Write transactions stay short: the
# grader never runs inside one, and a start or a save is a few statements.
SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
    _sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL")
# How long a client asked to come back after a 503 (the autosave script retries with backoff).
DATABASE_BUSY_RETRY_AFTER = int(os.environ.get("DATABASE_BUSY_RETRY_AFTER", "2"))
MIDDLEWARE.append("config.busy.DatabaseBusyMiddleware")  # a view's busy database -> 503
# ... and a session that cannot be saved after the view (a log-in's) -> 503 too.
MIDDLEWARE[MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")] = (
    "config.busy.SessionMiddleware"
)
# --- end examday -------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from npm (package.json); its dist folder is served as static files.
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
# In development WhiteNoise serves straight from the finders; production runs collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Reject oversized posts before a view sees them (answers are small).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# --- Content-Security-Policy and HTTPS (issue 10, section 4) -------------------------------------
# Every page may load scripts, styles, images and fonts from this site only: no inline script or
# style (templates load static files and pass data in data- attributes or json_script), no eval,
# no plugin, no framing. Bootstrap's stylesheet draws its icons (the navbar toggler, form
# controls) as data: SVG images, so images may also be data: URLs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# With DEBUG off the site expects HTTPS: redirect plain HTTP, tell browsers to keep to HTTPS
# (HSTS), send cookies over HTTPS only. Each can be turned off from the environment, e.g. to run
# production settings over plain HTTP on a private network.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Behind a proxy that terminates TLS (nginx, a load balancer), the request reaches Django over
# plain HTTP; BEHIND_TLS_PROXY=1 trusts the proxy's X-Forwarded-Proto header to say it was HTTPS
# (only set it when the proxy overwrites that header: a client could send its own otherwise).
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Throttling and password reset (issue 10, section 5) -----------------------------------------
# Failed logins are counted per username (django-axes, in the database); after
# AXES_FAILURE_LIMIT of them, logins for it are refused for AXES_COOLOFF_TIME with a page that
# says so. Instructors lift a lockout early by deleting it under "Access attempts" in the admin.
AUTHENTICATION_BACKENDS = [
    "accounts.auth_backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "8"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Per username only, never per address alone: a class logs in from one campus address, and a
# few students' typos must not lock out the others (issue 14, examday). A username is locked
# whichever addresses its failures come from.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns (W006) when no lockout parameter names the address, as user agents or cookies could
# be rotated to dodge a lock keyed on them; a username lock counts every failure for the username
# whatever the user agent, cookie or address, so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.auth_backends.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.ratelimit.client_ip"
# How many proxies in front of Django append to X-Forwarded-For: the client's address is read
# from there (accounts.ratelimit.client_ip), else every client would share the proxy's address.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0")
)
# Posts per user or address: scope -> (requests, seconds); defaults in accounts/ratelimit.py.
RATE_LIMITS = {}

# Password reset by email. Development prints the message on the console (the reset link
# included); production sends it over SMTP as configured by EMAIL_* in the environment.
if DEBUG and "EMAIL_HOST" not in os.environ:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": 30,
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# --- examday: `make run` serves with DEBUG off on a machine that may have no mail server; it
# sets EMAIL_TO_CONSOLE=1, so password-reset mails are printed unless EMAIL_HOST is given.
if env_bool("EMAIL_TO_CONSOLE", False) and "EMAIL_HOST" not in os.environ:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# --- end examday -------------------------------------------------------------------------------

# Saving a concept page in the admin runs the grader on each new or changed ```python block
# (a few runs each, every run bounded by grader.Limits); a cap on blocks bounds one save's time.
ADMIN_MAX_BLOCKS_PER_PAGE = int(os.environ.get("ADMIN_MAX_BLOCKS_PER_PAGE", "12"))

# The grader, in one dict (config/grader_options.py) checked and applied by
# content.apps.ContentConfig.ready; an option left out keeps its default. The library's
# (grader/config.py): GRADER_POOL_SIZE, GRADER_PYTHON, GRADER_START_SECONDS and the default
# limits GRADER_CPU_SECONDS, GRADER_WALL_SECONDS, GRADER_MEMORY_MB, GRADER_OUTPUT_BYTES. The
# client's (graderclient/options.py): every grader run of the site goes through graderclient
# (docs/architecture.md), to GRADER_BACKEND "local" (one grader service per machine, shared
# over a Unix socket, GRADER_LOCAL_SOCKET), "redis" (grader workers behind an RQ queue:
# python -m grader.worker; GRADER_REDIS_URL, else REDIS_URL, and GRADER_QUEUE) or "inprocess"
# (this process's own; tests); GRADER_TIMEOUT_SECONDS (how long an admin save waits for an
# outcome) and GRADER_MAX_CONCURRENT_RUNS (runs in flight across the site).
# GRADER_INTERPRETERS: the other interpreters' paths (os.pathsep-separated): one grader server
# (or worker queue) each, a key per version line (issue 18; quizzes/versions.py).
GRADER = grader_options(os.environ)
# The interpreter line ("3.13") attempts are graded against when their course pins none; blank:
# the grader's default interpreter (Question.answer_key). quizzes/versions.py.
GRADING_PYTHON = os.environ.get("GRADING_PYTHON", "")

# Every server error is logged to stderr with its traceback; ADMINS (comma-separated addresses,
# "Name <address>" allowed) also receive it by e-mail.
ADMINS = admins_from_environment(os.environ.get("ADMINS", ""))
LOGGING = logging_settings(debug=DEBUG, mail_admins=bool(ADMINS))
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.log.SettingsSafeReporterFilter"
# The debug page and the error e-mails for a request whose data cannot be parsed (a 400).
DEFAULT_EXCEPTION_REPORTER = "config.debug.RequestSafeExceptionReporter"

# --- Grader client, background tasks, shared cache (issue 14 §2-§4; branch queue) ---------------
# REDIS_URL, when set, carries the background tasks (django.tasks on RQ) and the cache that
# the rate limits and the grader's concurrency cap count in, across every web process.
REDIS_URL = os.environ.get("REDIS_URL", "")
# A load balancer's health check may come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "graderclient.middleware.GraderUserMiddleware",
)
INSTALLED_APPS += ["backgroundtasks"]
if REDIS_URL:
    # Background tasks run on RQ workers: python manage.py rqworker --job-class
    # django_tasks_rq.Job default (django-tasks-rq; see deploy/README.md).
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions are read from the shared cache, written through to the database (a query less
    # on every request; the database keeps them across a cache flush). Only with a cache every
    # web process shares: a per-process cache would keep a logged-out session alive elsewhere.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis a background task runs at once, in the process that queued it.
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
