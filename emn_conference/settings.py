"""Settings for the EMN conference site, read from the environment (see .env.example)."""

import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from emn_conference.translation_overrides import country_names

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and (DEBUG or "pytest" in sys.modules):
    # A fixed key is only acceptable where nothing real is signed: development and the tests.
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105
# Otherwise an empty key stays empty: commands that sign nothing (migrate, makemigrations,
# collectstatic) still run, while Django refuses any use of it, and wsgi.py/asgi.py refuse
# to start without one.

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its admin classes patch the right forms.
    "modeltranslation",
    # Django's admin, with "View on site" asking for permission (emn_conference/admin_site.py).
    "emn_conference.admin_apps.ConferenceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's form templates, for FORM_RENDERER below.
    "django.forms",
    "django_countries",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "outbox",
    "history",
    "accounts",
    "events",
    "registrations",
    # The person's data as a whole: see, download, delete; retention periods and the purge.
    "privacy",
    # The demo data and `load_demo`; it seeds every app above, so it comes after them.
    "demo",
    # The project's own deployment checks (emn_conference/checks.py); it has no models.
    "emn_conference",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "emn_conference.middleware.RejectNullBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Inside authentication, so that it knows who asked; outside the views, so it sees them all.
    "emn_conference.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication and messages: staff without a second factor are sent to set one up.
    "accounts.middleware.StaffMFARequiredMiddleware",
    # Signing out clears the browser's storage for the site (the check-in page's offline list).
    "accounts.middleware.ClearSiteDataOnLogoutMiddleware",
    # A change that could not get its event's lock in time: "very busy, try again" (503).
    "registrations.middleware.EventBusyMiddleware",
    # A delegate whose accepted privacy notice has a newer version is asked to accept it.
    "registrations.middleware.NewPrivacyNoticeMiddleware",
]

ROOT_URLCONF = "emn_conference.urls"
WSGI_APPLICATION = "emn_conference.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# An empty DATABASE_URL (as in a copied .env.example) means the SQLite file as well.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "registrations:mine"
# URL names, reversed in the visitor's language, so signing out keeps them in it.
ACCOUNT_LOGOUT_REDIRECT_URL = "events:home"

# Accounts (django-allauth): the email address is the login and must be verified first.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_PREVENT_ENUMERATION = True
# Account mail goes through the outbox, and sign-up costs the same for known addresses.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# allauth's rate limits count in the cache; the others stay at allauth's defaults. Failed
# sign-ins (the admin's log-in too, which goes through allauth's): 5 for one account within
# 15 minutes lock that account for the rest of the 15 minutes, and 10 from one address within
# a minute lock that address for the minute, whichever account they try; the right password
# is refused too meanwhile. A password reset lifts an account's lock. The same limit counts
# wrong two-factor codes.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key"}

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP), with recovery codes
# for when the phone is lost. The issuer is the name the app shows beside the code.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "EMN Conferences"
# Staff see every delegate's personal data: they reach the admin only with a second factor
# (accounts/middleware.py). On unless DEBUG, so `make run`'s demo log-ins work without an
# authenticator app; DJANGO_STAFF_MFA_REQUIRED=1 tries it in development. Off under pytest,
# whose tests sign staff in directly; tests/accounts/test_mfa.py turns it on.
STAFF_MFA_REQUIRED = env.bool(
    "DJANGO_STAFF_MFA_REQUIRED", default=not (DEBUG or "pytest" in sys.modules)
)

# The cache counts allauth's rate limits and, on Redis, holds the sessions. With several
# processes (gunicorn workers, app servers) it must be one they share, or each counts and
# remembers on its own; `check --deploy` warns about a per-process one (emn_conference/checks.py).
# CACHE_URL wins, then REDIS_URL; without either the cache is per-process (development). The
# URL may hold a password, so it is kept out of the settings (DEBUG pages list those).
_cache_url = env("CACHE_URL", default="") or env("REDIS_URL", default="") or "locmemcache://"
_redis_cache = _cache_url.split(":", 1)[0] in {"redis", "rediss", "rediscache", "valkey", "valkeys"}
CACHES = {
    "default": env.cache_url_config(
        _cache_url,
        # Django's own Redis backend (it needs only the `redis` package): django-environ
        # would silently switch to django-redis whenever that happens to be installed.
        backend="django.core.cache.backends.redis.RedisCache" if _redis_cache else None,
    )
}
if _redis_cache:
    # A Redis that stops answering fails the request within seconds, not at gunicorn's timeout.
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 2)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 2)
    # Sessions are read from Redis and written through to the database: a Redis restarted
    # empty, or evicting keys under memory pressure, signs nobody out, while reading one
    # (every signed-in request) costs no query. Not with a per-process cache, where a worker
    # would go on serving a session that another worker has ended at sign-out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Rendered agenda pages and feeds (events/page_cache.py) are also kept in each process: their
# keys name the event's version, so a copy is never stale, and a feed of a large event (up to
# a megabyte) is not fetched from Redis on every request. Bounded by entries, at most ~1 MB
# each. Useless in front of a per-process default cache, which is the same memory.
CACHES["rendered"] = (
    {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rendered-pages",
        "OPTIONS": {"MAX_ENTRIES": env.int("RENDERED_PAGES_PER_PROCESS", default=32)},
    }
    if _redis_cache
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. A third language is one more entry here, a locale/<code>/ catalogue
# and `manage.py makemigrations` for the translated columns; no code changes.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("bg", _("Bulgarian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["emn_conference.formats"]
# Country names: the Unicode CLDR's in every language but English (see translation_overrides).
COUNTRIES_OVERRIDE = country_names()
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Sofia")

# Every language falls back to the others, in the order of LANGUAGES.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": tuple(code for code, _name in LANGUAGES)}
# The tabbed admin needs jQuery UI; it is served from our own static files, never a CDN.
MODELTRANSLATION_JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
JQUERY_UI_URL = MODELTRANSLATION_JQUERY_UI_URL

STATIC_URL = "static/"
# Where collectstatic writes (and WhiteNoise serves from) in production.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Widgets are rendered with the site's template settings, so that templates/ can override the
# admin's (admin/widgets/split_datetime.html: a label for each part).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # Only the files we use out of static-file packages (jQuery UI's script), not whole ones.
    "emn_conference.finders.PackageFileFinder",
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default="") or BASE_DIR / "media")
# Uploaded logos and photos larger than these are refused (events/images.py): the pixel limit
# bounds the memory needed to decode one, whatever the size of its file.
IMAGE_UPLOAD_MAX_BYTES = env.int("DJANGO_IMAGE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env.int("DJANGO_IMAGE_UPLOAD_MAX_PIXELS", default=25_000_000)

# Files with personal data made for staff (large exports, badge runs): outside MEDIA_ROOT and
# never served directly; every app server and worker must see the same directory.
PRIVATE_ROOT = Path(env("DJANGO_PRIVATE_ROOT", default="") or BASE_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # With object storage, a private bucket through django-storages instead.
    "private": {"BACKEND": "emn_conference.storage.PrivateStorage"},
    # Production (and `make prod-check`) hash and compress the static files, which WhiteNoise
    # serves with a year's cache; the tests and development serve them as they are.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or "pytest" in sys.modules
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# django-environ's documented way to spread the parsed URL into EMAIL_* settings.
vars().update(EMAIL_CONFIG)
# Where the site is reached, for links in emails. Required in production (check --deploy);
# unset in development, links follow the address being served (emn_conference/site.py).
SITE_URL = env("SITE_URL", default="")
# A mail server that hangs must not hold a delegate's request for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="EMN Conference <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (Celery). With a broker, workers send the outbox and run scheduled jobs;
# without one (development, tests) each task runs in-process after the transaction commits.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A killed worker's tasks go to another one (acks_late), one task at a time per process so
# that none waits behind a slow one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request hands a task over quickly or not at all (the sweep sends it later).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# Seconds between looks for session materials that became public (events/tasks.py).
MATERIALS_PUBLISH_EVERY = env.float("MATERIALS_PUBLISH_EVERY", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": env.float("OUTBOX_SWEEP_EVERY", default=30.0),
    },
    "export-jobs-expire": {"task": "registrations.tasks.export_jobs_expire", "schedule": 600.0},
    # Cached agenda pages and feeds list a session's materials once they become public.
    "materials-published": {
        "task": "events.tasks.materials_published",
        "schedule": MATERIALS_PUBLISH_EVERY,
    },
    # Retention: sensitive fields cleared, then whole registrations anonymised, once a day.
    "personal-data-purge": {"task": "privacy.tasks.personal_data_purge", "schedule": 86400.0},
    # Reminders before events: hourly, so that one goes out soon after its day begins.
    "reminders": {"task": "registrations.tasks.reminders_send", "schedule": 3600.0},
    # Delegations: reminders before the nomination deadline, unused places released after it.
    "nomination-deadlines": {
        "task": "registrations.tasks.nomination_deadlines_run",
        "schedule": 600.0,
    },
}
# Days before a delegation's nomination deadline its head is reminded; the largest nomination
# letter (a PDF) a head may upload.
NOMINATION_REMINDER_DAYS = env.int("NOMINATION_REMINDER_DAYS", default=3)
NOMINATION_LETTER_MAX_BYTES = env.int("NOMINATION_LETTER_MAX_BYTES", default=5 * 1024 * 1024)
# Uploaded session materials (slides, papers) larger than this are refused (events/materials.py).
MATERIAL_UPLOAD_MAX_BYTES = env.int("DJANGO_MATERIAL_UPLOAD_MAX_BYTES", default=40 * 1024 * 1024)
# The outbox: tries per message, backoff (seconds, doubling from the base up to the cap),
# and how long past its time a queued message waits before the sweep hands it out again.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE = env.float("OUTBOX_RETRY_BASE", default=30.0)
OUTBOX_RETRY_MAX = env.float("OUTBOX_RETRY_MAX", default=3600.0)
OUTBOX_SWEEP_AFTER = env.float("OUTBOX_SWEEP_AFTER", default=60.0)
OUTBOX_SWEEP_BATCH = 500
# Seconds a request waits for an event's lock before it answers "very busy, try again" (503).
EVENT_LOCK_TIMEOUT = env.float("EVENT_LOCK_TIMEOUT", default=5.0)
# After a capacity raise, how many move up from the waiting list per transaction (the event's
# lock is let go between batches, so registrations are not held up by a large raise).
WAITLIST_PROMOTION_BATCH = 100
# Exports and badge runs of more rows than this are made by a worker, with a progress bar;
# their files are kept this many hours; a job unfinished after EXPORT_JOB_TIMEOUT seconds
# lost its worker and is marked failed.
EXPORT_BACKGROUND_ABOVE = env.int("EXPORT_BACKGROUND_ABOVE", default=1000)
EXPORT_FILE_HOURS = env.int("EXPORT_FILE_HOURS", default=24)
EXPORT_JOB_TIMEOUT = env.int("EXPORT_JOB_TIMEOUT", default=3600)

# Retention of personal data, in days after an event's last day (each event may set its own):
# sensitive fields (phone, dietary, accessibility and interpretation needs) are cleared after
# PRIVACY_SENSITIVE_DAYS, whole registrations anonymised after PRIVACY_ANONYMISE_DAYS. The
# purge works through PRIVACY_PURGE_BATCH registrations per transaction.
PRIVACY_SENSITIVE_DAYS = env.int("PRIVACY_SENSITIVE_DAYS", default=30)
PRIVACY_ANONYMISE_DAYS = env.int("PRIVACY_ANONYMISE_DAYS", default=365)
PRIVACY_PURGE_BATCH = 200

# Phone numbers are shown in the international format ("+359 2 987 6543") and stored in it
# too, so that lists and exports write them as stored, without parsing and validating each
# number again (registrations/migrations/0007_phone_international.py converted older rows).
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
PHONENUMBER_DB_FORMAT = "INTERNATIONAL"

SECURE = env.bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
# The site's own subdomains are HTTPS-only too (it covers names under the site's host name,
# not its organisation's other sites).
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (security.W021) is not offered: only the owner of the registrable domain can
    # submit it to the browsers' list, for every site under it and hard to undo, while this
    # site usually lives on one host name of an organisation's domain.
    "security.W021",
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
# How many proxies of ours append to X-Forwarded-For (1 behind one nginx or load balancer,
# 2 behind a load balancer and nginx): allauth takes the client's address for its rate
# limits from that far from the right. 0 (the default) ignores the header, which a client
# can forge, and counts by the connecting address: behind a proxy every visitor would then
# share the proxy's limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from our own origin, nothing inline, no
# plugins, no framing. The site's pages, the admin (modeltranslation's tabs with our own
# jQuery UI, the autocomplete widgets) and allauth's pages run under it unchanged.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Permissions-Policy (django-permissions-policy): no page of ours uses these browser features,
# so none may, not even a page of ours fooled by injected markup. Only features Chromium knows
# (it logs an error for others, such as the withdrawn interest-cohort); WebAuthn
# (publickey-credentials-*) stays at the browser's default, same origin, for security keys.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "ambient-light-sensor": [],
    "autoplay": [],
    "bluetooth": [],
    "browsing-topics": [],
    # The check-in page allows it for itself (registrations.views.CheckInView).
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No calendar token, account key or invitation code in a logged URL (e.g. a 404's).
    "filters": {"no_secrets": {"()": "emn_conference.log_safety.SecretPathFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_secrets"]}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
