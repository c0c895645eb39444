"""Django settings for AMG-portal, driven by environment variables (see .env.example)."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from amg_portal import envconfig as env

BASE_DIR = Path(__file__).resolve().parent.parent

TESTING = "pytest" in sys.modules or env.env_bool("AMG_TESTING")
if not TESTING:
    env.read_dotenv(BASE_DIR / ".env")  # values already in the environment win
DEBUG = env.env_bool("DEBUG", default=False)
# manage.py sets AMG_OFFLINE_COMMAND for makemigrations/makemessages/compilemessages only.
RELAXED = DEBUG or TESTING or env.env_bool("AMG_OFFLINE_COMMAND")
SECRET_KEY = env.secret_key(debug=RELAXED)
ALLOWED_HOSTS = env.env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if RELAXED else []
)
if not ALLOWED_HOSTS:
    raise env.SettingsError("ALLOWED_HOSTS is not set; with DEBUG off name the site's host names.")
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS", [])
# The portal's public address, for links in e-mails and calendar feeds sent outside a request.
SITE_URL = env.env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "treebeard",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "crispy_forms",
    "crispy_bootstrap5",
    "amg_portal.organisation",
    "amg_portal",
    "kortlaegning",
    "sten_i_skoen",
    "handlingsplan",
    "amg_portal.dashboard",
]

MIDDLEWARE = [
    # Load-balancer probes (/healthz/, /readyz/): no redirect, no host check, no session.
    "amg_portal.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "amg_portal.organisation.middleware.UserLanguageMiddleware",
    # After the user and the language are known: work a request leaves for after its response
    # (a changed plan's PDF, rendered before anyone clicks; amg_portal/afterresponse.py).
    "amg_portal.afterresponse.AfterResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "amg_portal.organisation.middleware.SessionTimeoutMiddleware",
    "amg_portal.organisation.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "amg_portal.organisation.middleware.NoStoreMiddleware",
    # Last, so that a locked-out login attempt is answered before anything else runs.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "amg_portal.urls"
WSGI_APPLICATION = "amg_portal.wsgi.application"

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
                "amg_portal.organisation.context_processors.navigation",
            ],
        },
    },
]

# With DEBUG off DATABASE_URL is required: production never falls back to a local SQLite file.
DATABASES = {"default": env.database(default_sqlite=BASE_DIR / "db.sqlite3", required=not RELAXED)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` serves several requests at once (matrix autosave): write-ahead logging lets
    # readers and one writer work side by side, a busy timeout makes a writer wait for the lock
    # instead of failing, and IMMEDIATE transactions take the write lock at BEGIN, so a
    # transaction that read first never fails upgrading its lock ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Memory of each worker process: the dashboard's drawn panels, kept per reader until the data
# generation changes (amg_portal/generation.py), so nothing kept can be stale; nothing about people
# leaves the process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "amg-portal",
        "OPTIONS": {"MAX_ENTRIES": env.env_int("CACHE_MAX_ENTRIES", 1000)},
    }
}

AUTH_USER_MODEL = "organisation.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    # Hashing cost is not what the tests are about.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A changed APV or sten-i-skoen case is rendered to PDF by the worker right after it has sent the
# response to the change (amg_portal/afterresponse.py); `manage.py once render_pdfs` renders what
# was left. Off under tests (every edit would render a PDF); the tests of it switch it on.
RENDER_AFTER_RESPONSE = env.env_bool("RENDER_AFTER_RESPONSE", default=not TESTING)

# Login throttling (django-axes): lock the combination of username and client IP, so nobody can
# lock a named user out from elsewhere. Behind a reverse proxy set TRUSTED_PROXY_COUNT to the number
# of proxies that append to X-Forwarded-For; the client address is then the entry the outermost
# trusted proxy appended (counted from the right; the entries left of it are the client's own and
# forgeable). One function (amg_portal/clientip.py) answers this for axes, the answer pages' rate
# limit and the audit log.
TRUSTED_PROXY_COUNT = env.env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "amg_portal.clientip.client_ip"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.env_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "amg_portal.organisation.views.locked_out"
AXES_VERBOSE = False

# Second factor (TOTP, django-otp): when OTP_REQUIRED_FOR_LEADERS is on, leaders and the coordinator
# must set up and use an authenticator app before they can use the portal; others may opt in.
OTP_REQUIRED_FOR_LEADERS = env.env_bool("OTP_REQUIRED_FOR_LEADERS", default=False)
OTP_TOTP_ISSUER = "AMG-portal"

# Danish first, English second.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "amg_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` writes the hashed, compressed files that whitenoise serves in production.
STATIC_ROOT = Path(env.env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development and tests whitenoise serves straight from the finders; production serves the
# hashed, compressed files that collectstatic writes to STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env.env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env.env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.env_str("DEFAULT_FROM_EMAIL", "AMG-portal <amg-portal@localhost>")
# Who receives the error reports (500s) by e-mail, and their sender: "Name <a@b.dk>, c@d.dk".
ADMINS = env.env_addresses("ADMINS")
SERVER_EMAIL = env.env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Sessions: an absolute lifetime (SESSION_COOKIE_AGE, default 8 hours, a working day) and an idle
# timeout (SESSION_IDLE_TIMEOUT, default 30 minutes without a request), both in seconds. The
# session key rotates at login (Django), and logout or deactivating a user ends their sessions.
# Django's database sessions; amg_portal/sessions.py only reads the row with a plain statement.
SESSION_ENGINE = "amg_portal.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_TIMEOUT = env.env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_SAMESITE = "Lax"

# Transport and headers. Production (DEBUG off) is HTTPS only, behind a proxy that sets
# X-Forwarded-Proto; `manage.py check --deploy --fail-level WARNING` passes with no silenced checks.
PRODUCTION = not DEBUG and not TESTING
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    # __Host- cookies must be Secure, host-only and Path=/: no subdomain can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-amg_language"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# "same-origin" sends no Referer to any other site (so nothing of a URL leaves the portal). We do
# not use "no-referrer": with it browsers send `Origin: null` on form posts, which Django's CSRF
# protection rightly refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): only our own scripts, styles and images; no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    },
}

# Anonymous answer pages (all workers together; docs/security.md explains the design): a room of
# people behind one address must get through, a script trying codes or links must not.
# Requests per minute per client address, a ceiling against flooding (40 people answering at once
# make about 300).
ANSWER_RATE_LIMIT = env.env_int("ANSWER_RATE_LIMIT", 600)
# Refused codes and links (unknown ones) per client address in 10 minutes; then no more tries.
ANSWER_FAILURE_LIMIT = env.env_int("ANSWER_FAILURE_LIMIT", 30)
# Tries of one answer code or personal link in 10 minutes (one person needs a couple).
ANSWER_SECRET_LIMIT = env.env_int("ANSWER_SECRET_LIMIT", 10)
# Visits of one open link per minute (everyone in the room shares it).
ANSWER_OPEN_LINK_LIMIT = env.env_int("ANSWER_OPEN_LINK_LIMIT", 300)
# Raw responses and free-text comments of a round are deleted this many days after it closed
# (`manage.py purge_raw_responses`); only the aggregated results are kept.
RESPONSE_RETENTION_DAYS = env.env_int("RESPONSE_RETENTION_DAYS", 365)
# Organisation import (HR export): the largest units or people file accepted, in bytes.
ORGANISATION_IMPORT_MAX_BYTES = env.env_int("ORGANISATION_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# Logging: one key=value line per event on stdout (collected by systemd/journald or the container
# runtime), the audit trail at INFO, everything else at LOG_LEVEL.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django logs each 4xx/5xx response with its path: answer codes and link secrets are cut out.
    "filters": {
        "redact_secrets": {"()": "amg_portal.logredact.RedactSecrets"},
    },
    "formatters": {"keyvalue": {"()": "amg_portal.logformat.KeyValueFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "keyvalue",
        },
    },
    "loggers": {
        # Django's own "django" logger mails ERROR records (500s) to ADMINS when DEBUG is off.
        "django.request": {"filters": ["redact_secrets"]},
        "amg_portal.audit": {"level": env.env_str("AUDIT_LOG_LEVEL", "INFO")},
    },
    "root": {"handlers": ["console"], "level": env.env_str("LOG_LEVEL", "WARNING")},
}

# --- Single sign-on: OpenID Connect, SAML 2.0 and password login ------------------------------
# Everything comes from the environment; docs/identity.md walks through Entra ID and WAYF. A
# provider is switched on by its client id (OIDC) or its metadata file (SAML). Users are matched by
# the stable id (User.person_id) and then by e-mail; nobody is created unless SSO_CREATE_USERS.
SSO_CREATE_USERS = env.env_bool("SSO_CREATE_USERS", default=False)
# The way in when the identity provider is down: only the coordinator may still use a password.
PASSWORD_LOGIN_COORDINATORS_ONLY = env.env_bool("PASSWORD_LOGIN_COORDINATORS_ONLY", default=False)

OIDC_RP_CLIENT_ID = env.env_str("OIDC_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env.env_str("OIDC_CLIENT_SECRET")
OIDC_OP_ISSUER = env.env_str("OIDC_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.env_str("OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env.env_str("OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env.env_str("OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env.env_str("OIDC_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env.env_str("OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = env.env_str("OIDC_SCOPES", "openid email profile")
OIDC_EMAIL_CLAIM = env.env_str("OIDC_EMAIL_CLAIM", "email")
OIDC_ID_CLAIM = env.env_str("OIDC_ID_CLAIM")
OIDC_DISPLAY_NAME = env.env_str("OIDC_DISPLAY_NAME", "Microsoft Entra ID")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.env_int("OIDC_TIMEOUT", 10)
OIDC_CREATE_USER = SSO_CREATE_USERS
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name, value in {
            "OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
            "OIDC_ISSUER": OIDC_OP_ISSUER,
            "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
            "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
            "OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
        }.items()
        if not value
    ]
    if _oidc_missing:
        raise env.SettingsError(
            f"OIDC_CLIENT_ID is set but {', '.join(_oidc_missing)} is not (see docs/identity.md)."
        )

SAML_IDP_METADATA_FILE = env.env_str("SAML_IDP_METADATA_FILE")
SAML_ENABLED = bool(SAML_IDP_METADATA_FILE)
SAML_DISPLAY_NAME = env.env_str("SAML_DISPLAY_NAME", "WAYF")
SAML_EMAIL_ATTRIBUTE = env.env_str("SAML_EMAIL_ATTRIBUTE", "mail")
SAML_ID_ATTRIBUTE = env.env_str("SAML_ID_ATTRIBUTE", "eduPersonPrincipalName")
SAML_SP_ENTITY_ID = env.env_str("SAML_SP_ENTITY_ID", f"{SITE_URL}/saml2/metadata/")
SAML_SP_KEY_FILE = env.env_str("SAML_SP_KEY_FILE")
SAML_SP_CERT_FILE = env.env_str("SAML_SP_CERT_FILE")
SAML_XMLSEC_BINARY = env.env_str("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
SAML_CONFIG_LOADER = "amg_portal.organisation.saml.sp_config"
SAML_CREATE_UNKNOWN_USER = SSO_CREATE_USERS
SAML_ATTRIBUTE_MAPPING = {}  # matching is ours (amg_portal/organisation/identity.py)
SAML_SESSION_COOKIE_NAME = "__Host-saml_session" if PRODUCTION else "saml_session"
# The IdP posts its answer cross-site, so the SAML session cookie is SameSite=None in production
# (where it is Secure too); browsers refuse SameSite=None without Secure over plain HTTP.
SAML_SESSION_COOKIE_SAMESITE = "None" if PRODUCTION else "Lax"
SAML_IGNORE_LOGOUT_ERRORS = True
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
if SAML_ENABLED:
    if not Path(SAML_IDP_METADATA_FILE).is_file():
        raise env.SettingsError(f"SAML_IDP_METADATA_FILE={SAML_IDP_METADATA_FILE!r} is not a file.")
    if bool(SAML_SP_KEY_FILE) != bool(SAML_SP_CERT_FILE):
        raise env.SettingsError("Set both SAML_SP_KEY_FILE and SAML_SP_CERT_FILE, or neither.")
    for _name, _path in {
        "SAML_SP_KEY_FILE": SAML_SP_KEY_FILE,
        "SAML_SP_CERT_FILE": SAML_SP_CERT_FILE,
    }.items():
        if _path and not Path(_path).is_file():
            raise env.SettingsError(f"{_name}={_path!r} is not a file.")
    if not Path(SAML_XMLSEC_BINARY).is_file():
        raise env.SettingsError(
            f"SAML needs xmlsec1 at {SAML_XMLSEC_BINARY} (apt-get install xmlsec1)."
        )
# The pieces stay installed when a provider is off: its views then answer 404.
INSTALLED_APPS.append("djangosaml2")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
AUTHENTICATION_BACKENDS += [
    "amg_portal.organisation.oidc.OIDCBackend",
    "amg_portal.organisation.saml.SAMLBackend",
]
