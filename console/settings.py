"""Django settings, read only from the environment (see console/env.py and docs/settings.md).

CONSOLE_ENV=local (the default) generates and keeps a secret key and an encryption key
under .local/ so the quick start needs no setup; CONSOLE_ENV=production requires them."""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import dj_database_url

from console.env import ImproperlyConfiguredEnv, envbool, envchoice, envint, envlist, envsecret, envstr
from console.origins import OriginError, https_origins, local_origins, normalize_origins

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = Path(envstr("CONSOLE_LOCAL_DIR", str(BASE_DIR / ".local")))

CONSOLE_ENV = envstr("CONSOLE_ENV", "local")
if CONSOLE_ENV not in {"local", "production"}:
    raise ImproperlyConfiguredEnv(f"CONSOLE_ENV must be local or production, not {CONSOLE_ENV!r}")
LOCAL = CONSOLE_ENV == "local"


def _local_secret(name: str, make: object) -> str:
    """A value generated once and kept in .local/ (local default only; never in production)."""
    path = LOCAL_DIR / name
    if not path.exists():
        LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")  # type: ignore[operator]
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _secret(name: str, make: object) -> str:
    if LOCAL:
        try:
            return envsecret(name)
        except ImproperlyConfiguredEnv:
            return _local_secret(name.lower(), make)
    return envsecret(name)


SECRET_KEY = _secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Sealing keys for credentials/crypto.py: "id:base64key[,id:base64key...]", first one seals.
CONSOLE_ENCRYPTION_KEYS = _secret(
    "CONSOLE_ENCRYPTION_KEYS",
    lambda: "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
)

DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if LOCAL else [])
if "*" in ALLOWED_HOSTS and not LOCAL:
    # "*" would let any Host header through, and with it any https_origins() default.
    raise ImproperlyConfiguredEnv("ALLOWED_HOSTS must not contain * in production")
# The console's own origins (scheme://host[:port]), compared whole by the websocket
# Origin check and by Django's CSRF check: another port or scheme of the same host is
# another site. Locally: http on PORT under each loopback name; in production: https on
# each exact ALLOWED_HOSTS name. CSRF_TRUSTED_ORIGINS is the older name of the setting.
try:
    CONSOLE_ORIGINS = normalize_origins(
        envlist(
            "CONSOLE_ORIGINS",
            envlist(
                "CSRF_TRUSTED_ORIGINS",
                local_origins(envint("PORT", 8000)) if LOCAL else https_origins(ALLOWED_HOSTS),
            ),
        )
    )
except OriginError as exc:
    raise ImproperlyConfiguredEnv(f"CONSOLE_ORIGINS: {exc}") from None
if not CONSOLE_ORIGINS:
    raise ImproperlyConfiguredEnv("CONSOLE_ORIGINS is empty: name the origin(s) browsers use, https://host")
CSRF_TRUSTED_ORIGINS = CONSOLE_ORIGINS

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "csp",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_static",
    "axes",
    "console",
    "console.accounts",
    "console.runs",
    "console.terminal",
    "console.api",
    "console.teams",
    "console.portal",
    "console.audit",
    "console.workspace",
    "credentials",
    # `{% load rules %}` and `has_perm` in templates.
    "rules",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in (console/accounts/middleware.py): django-otp marks the verified sessions, then
    # a session past its timeouts is ended and one that owes its second step reaches only it.
    "django_otp.middleware.OTPMiddleware",
    "console.accounts.middleware.SessionLimitsMiddleware",
    "console.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username+address before any password check.
# Object permissions come from console/teams/rules.py (the `rules` package); the model
# backend still answers for passwords and Django's own model permissions.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "console.urls"
ASGI_APPLICATION = "console.asgi.application"
WSGI_APPLICATION = None

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

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{LOCAL_DIR / 'console.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and sandbox seeding write at once; wait for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": envstr("DATABASE_TEST_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Overridable so a test run can use a fast hasher in every process it starts.
PASSWORD_HASHERS = envlist(
    "PASSWORD_HASHERS",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "terminal"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by WhiteNoise: from the finders locally, from STATIC_ROOT after collectstatic (the image).
STATIC_ROOT = envstr("STATIC_ROOT", "") or None
WHITENOISE_USE_FINDERS = True
# Locally, pick up edited static files without a restart (WhiteNoise otherwise keeps the
# size it saw at start-up and would serve an edited file cut short).
WHITENOISE_AUTOREFRESH = LOCAL

REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
# Every key, queue and channel group this console puts in Redis starts with this prefix,
# so two consoles (or a test run beside a running console) can share one Redis. Kombu's own
# bookkeeping is the exception: its `unacked`, `unacked_index` and `_kombu.binding.*` keys
# are shared (they name each message's queue, which carries the prefix).
CONSOLE_REDIS_PREFIX = envstr("CONSOLE_REDIS_PREFIX", "console")

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # The layer carries only ids (notifications); output is read from the DB.
        "CONFIG": {
            # redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that
            # channels_redis blocks in BZPOPMIN: an idle terminal's reply could lose that
            # race and kill the consumer. A longer socket timeout keeps them apart.
            "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 2}],
            "prefix": f"{CONSOLE_REDIS_PREFIX}:channels",
        },
    }
}

# Celery: ids only in messages (see console/runs/tasks.py). Publishing must fail fast so a
# user whose command cannot be queued is told at once, not after minutes of retries.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = f"{CONSOLE_REDIS_PREFIX}.runs"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "visibility_timeout": 3600,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes every DB connection before and after each task unless
# this is set; reconnecting to PostgreSQL costs more than the AWS call itself. The task
# calls close_old_connections(), which honours CONN_MAX_AGE and drops broken connections.
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", 10_000)

# Runs: limits and the reaper's clock (docs/settings.md).
CONSOLE_MAX_COMMAND_LENGTH = envint("CONSOLE_MAX_COMMAND_LENGTH", 100_000)
# Words per command line; the tokenizer stops at the first past it (console/terminal/apps.py).
CONSOLE_MAX_COMMAND_TOKENS = envint("CONSOLE_MAX_COMMAND_TOKENS", 5_000)
CONSOLE_MAX_FRAME_BYTES = envint("CONSOLE_MAX_FRAME_BYTES", 256 * 1024)
CONSOLE_RUN_TIMEOUT = envint("CONSOLE_RUN_TIMEOUT", 600)
# The most a --query may build for one result, in bytes (console/output/querylimit.py).
CONSOLE_QUERY_MAX_BYTES = envint("CONSOLE_QUERY_MAX_BYTES", 16 * 1024 * 1024)
CONSOLE_HEARTBEAT_SECONDS = envint("CONSOLE_HEARTBEAT_SECONDS", 5)
CONSOLE_LOST_AFTER = envint("CONSOLE_LOST_AFTER", 30)
CONSOLE_QUEUE_TIMEOUT = envint("CONSOLE_QUEUE_TIMEOUT", 45)
# How long a request for a second person's approval waits before it expires (docs/guardrails.md).
CONSOLE_APPROVAL_MINUTES = envint("CONSOLE_APPROVAL_MINUTES", 15)
# The longest just-in-time elevation a member may ask for, in hours (docs/guardrails.md).
CONSOLE_ELEVATION_MAX_HOURS = envint("CONSOLE_ELEVATION_MAX_HOURS", 4)
CONSOLE_API_WAIT_SECONDS = envint("CONSOLE_API_WAIT_SECONDS", 120)
# How often each worker's reaper thread settles dead runs (console/runs/tasks.py).
CONSOLE_REAP_SECONDS = envint("CONSOLE_REAP_SECONDS", 15)
# The audit trail (console/audit/checkpoints.py, docs/audit.md): a signed checkpoint once
# this many events were added since the last, or once this many minutes passed with any
# new event; the chain is verified every CONSOLE_AUDIT_VERIFY_MINUTES, both on the workers'
# reaper threads. Retired checkpoint keys' public keys: "id:base64[,id:base64...]".
CONSOLE_AUDIT_CHECKPOINT_EVENTS = envint("CONSOLE_AUDIT_CHECKPOINT_EVENTS", 1000)
CONSOLE_AUDIT_CHECKPOINT_MINUTES = envint("CONSOLE_AUDIT_CHECKPOINT_MINUTES", 60)
CONSOLE_AUDIT_VERIFY_MINUTES = envint("CONSOLE_AUDIT_VERIFY_MINUTES", 60)
CONSOLE_AUDIT_PUBLIC_KEYS = envstr("CONSOLE_AUDIT_PUBLIC_KEYS", "")
# Off: no worker signs or verifies; run `manage.py audit_checkpoint` and `verify_audit`
# from a scheduler instead (the trail status then shows what verify_audit recorded).
CONSOLE_AUDIT_TRAIL_ON_WORKERS = envbool("CONSOLE_AUDIT_TRAIL_ON_WORKERS", True)
for _name in (
    "CONSOLE_AUDIT_CHECKPOINT_EVENTS",
    "CONSOLE_AUDIT_CHECKPOINT_MINUTES",
    "CONSOLE_AUDIT_VERIFY_MINUTES",
):
    if globals()[_name] < 1:
        raise ImproperlyConfiguredEnv(f"{_name} must be 1 or more")
# Runs one user may have queued or running at once (0: no cap), so one user cannot take
# every worker slot (console/runs/submission.py).
CONSOLE_MAX_RUNS_PER_USER = envint("CONSOLE_MAX_RUNS_PER_USER", 4)
# The most output one run stores, in bytes; past it the run is stopped (execution.py).
CONSOLE_MAX_RUN_OUTPUT_BYTES = envint("CONSOLE_MAX_RUN_OUTPUT_BYTES", 32 * 1024 * 1024)

# The workspace (console/workspace/, docs/workspace.md): users' and teams' files, always
# through Django's storage API under the `workspace` alias. Locally a folder under .local/;
# in production an S3 bucket through django-storages, so every worker host sees one tree.
CONSOLE_WORKSPACE_STORAGE = envstr("CONSOLE_WORKSPACE_STORAGE", "local")
if CONSOLE_WORKSPACE_STORAGE == "local":
    _WORKSPACE_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": envstr("CONSOLE_WORKSPACE_DIR", str(LOCAL_DIR / "workspace")),
            "allow_overwrite": True,
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
elif CONSOLE_WORKSPACE_STORAGE == "s3":
    from boto3.s3.transfer import TransferConfig

    _WORKSPACE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("CONSOLE_WORKSPACE_BUCKET"),
            "location": envstr("CONSOLE_WORKSPACE_PREFIX", "workspace"),
            "region_name": envstr("CONSOLE_WORKSPACE_REGION", "") or None,
            "endpoint_url": envstr("CONSOLE_WORKSPACE_ENDPOINT_URL", "") or None,
            # Empty: the host's own credentials (instance role, environment), boto3's chain.
            "access_key": envsecret("CONSOLE_WORKSPACE_ACCESS_KEY_ID", "") or None,
            "secret_key": envsecret("CONSOLE_WORKSPACE_SECRET_ACCESS_KEY", "") or None,
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"},
            # Required (console/workspace/files.py): a write's quota is counted as its
            # chunks are pulled, on the thread that holds the write.
            "transfer_config": TransferConfig(use_threads=False),
            # Required (console/workspace/files.py): opening a file downloads the whole
            # object, into memory unless this is set (django-storages' default 0 keeps a
            # 1 GB file in a worker's memory); past it, into a temporary file.
            "max_memory_size": 8 * 1024 * 1024,
        },
    }
else:
    raise ImproperlyConfiguredEnv(
        f"CONSOLE_WORKSPACE_STORAGE must be local or s3, not {CONSOLE_WORKSPACE_STORAGE!r}"
    )
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "workspace": _WORKSPACE_BACKEND,
}
# Quotas, in bytes, per user and per team (CloudShell gives 1 GB per user and Region).
CONSOLE_WORKSPACE_QUOTA = envint("CONSOLE_WORKSPACE_QUOTA", 1024**3)
CONSOLE_TEAM_WORKSPACE_QUOTA = envint("CONSOLE_TEAM_WORKSPACE_QUOTA", 1024**3)
# `cat` prints text files up to this size; `file://`/`fileb://` values read up to this size
# (Lambda's largest inline zip is 50 MB; every byte of such a value is held in memory).
CONSOLE_CAT_MAX_BYTES = envint("CONSOLE_CAT_MAX_BYTES", 1024 * 1024)
CONSOLE_PARAM_FILE_MAX_BYTES = envint("CONSOLE_PARAM_FILE_MAX_BYTES", 64 * 1024 * 1024)
# Browser uploads (console/workspace/uploads.py, docs/workspace.md): the largest file one upload
# takes, the largest chunk one request may carry, and how long an unfinished upload is kept.
CONSOLE_UPLOAD_MAX_BYTES = envint("CONSOLE_UPLOAD_MAX_BYTES", 1024**3)
CONSOLE_UPLOAD_CHUNK_BYTES = envint("CONSOLE_UPLOAD_CHUNK_BYTES", 8 * 1024 * 1024)
CONSOLE_UPLOAD_EXPIRY_SECONDS = envint("CONSOLE_UPLOAD_EXPIRY_SECONDS", 24 * 3600)

# The sandbox (sandbox/): a local moto server. On in the local default, off in production.
CONSOLE_SANDBOX = envbool("CONSOLE_SANDBOX", LOCAL)
SANDBOX_PORT = envint("SANDBOX_PORT", 5000)
CONSOLE_SANDBOX_URL = envstr("CONSOLE_SANDBOX_URL", f"http://127.0.0.1:{SANDBOX_PORT}")
# For `manage.py setup_demo` only, seeding a sandbox another process started (compose);
# runstack holds the secret of the sandbox it starts in memory and needs none.
CONSOLE_SANDBOX_CONTROL_SECRET = envsecret("CONSOLE_SANDBOX_CONTROL_SECRET", "")
# Static access keys in profiles: only where an administrator allows them.
CONSOLE_ALLOW_STATIC_KEYS = envbool("CONSOLE_ALLOW_STATIC_KEYS", CONSOLE_SANDBOX)
# Access keys a team admin enters in a team profile (write-only, sealed; members reach
# them only as a team profile's source). Off turns option (b) of docs/teams.md off.
CONSOLE_ALLOW_TEAM_KEYS = envbool("CONSOLE_ALLOW_TEAM_KEYS", True)
# The host's own instance role (IMDSv2), lent to users only when an administrator says so.
CONSOLE_ALLOW_INSTANCE_ROLE = envbool("CONSOLE_ALLOW_INSTANCE_ROLE", False)
CONSOLE_IMDS_ENDPOINT = envstr("CONSOLE_IMDS_ENDPOINT", "http://169.254.169.254")
# `aws configure export-credentials` prints live keys into a browser: off unless allowed.
CONSOLE_ALLOW_EXPORT_CREDENTIALS = envbool("CONSOLE_ALLOW_EXPORT_CREDENTIALS", False)

# Sign-in (console/accounts; docs/settings.md, "Sign-in"). A second factor is offered to
# everyone; CONSOLE_REQUIRE_2FA says who must have one: nobody (off: the local sandbox,
# so the demo opens straight into the terminal), console staff and team owners and
# admins (admins: the production default), or all users.
CONSOLE_REQUIRE_2FA = envchoice("CONSOLE_REQUIRE_2FA", ("off", "admins", "all"), "off" if LOCAL else "admins")
# The same rule in the words of console.teams.services.requires_second_factor, which decides
# who is a manager (owners and admins of any team, and Django staff). Derived, not read: one
# variable says who must have a second factor.
CONSOLE_REQUIRE_SECOND_FACTOR = {"off": "off", "admins": "managers", "all": "everyone"}[CONSOLE_REQUIRE_2FA]
CONSOLE_SESSION_IDLE_SECONDS = envint("CONSOLE_SESSION_IDLE_SECONDS", 30 * 60)
CONSOLE_SESSION_MAX_SECONDS = envint("CONSOLE_SESSION_MAX_SECONDS", 12 * 3600)
CONSOLE_SIGNIN_FAILURES = envint("CONSOLE_SIGNIN_FAILURES", 5)
CONSOLE_SIGNIN_COOLOFF_MINUTES = envint("CONSOLE_SIGNIN_COOLOFF_MINUTES", 15)
# Reverse proxies in front of the console whose X-Forwarded-For is trusted (clientip.py).
CONSOLE_TRUSTED_PROXIES = envint("CONSOLE_TRUSTED_PROXIES", 0)
for _name in (
    "CONSOLE_SESSION_IDLE_SECONDS",
    "CONSOLE_SESSION_MAX_SECONDS",
    "CONSOLE_SIGNIN_FAILURES",
    "CONSOLE_SIGNIN_COOLOFF_MINUTES",
):
    if globals()[_name] < 1:
        raise ImproperlyConfiguredEnv(f"{_name} must be at least 1")
if CONSOLE_TRUSTED_PROXIES < 0:
    raise ImproperlyConfiguredEnv("CONSOLE_TRUSTED_PROXIES must be 0 or more")

# django-axes: failures counted per username *and* client address, so someone guessing
# cannot lock the real user out from elsewhere, while one address cannot guess on at one
# account. Wrong codes at the second step count too (console/accounts/services.py), and
# failures are forgiven only when the whole sign-in succeeds, never at the password alone.
AXES_FAILURE_LIMIT = CONSOLE_SIGNIN_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=CONSOLE_SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the time the message names holds
AXES_CLIENT_IP_CALLABLE = "console.accounts.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "console.accounts.lockout.lockout_response"
# Masked in what axes stores and logs of a failed request (the code is the second step's).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Signed-in sessions get their own expiry at sign-in (console/accounts/sessionclock.py).
SESSION_COOKIE_AGE = CONSOLE_SESSION_MAX_SECONDS + CONSOLE_SESSION_IDLE_SECONDS
if not LOCAL:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles from our own static files only,
# never inline. xterm.js injects <style> elements of its own (its DOM renderer's theme and
# sizes), which carry the page's nonce (static/terminal/terminal.js stamps it on them); the
# nonce is only in the header of pages that ask for it (the terminal). The websocket is
# 'self' (CSP3 matches ws:/wss: of the page's own host and port).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    }
}
# Permissions-Policy: browser features a terminal never needs, off for the console and
# anything it could be made to embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "console.logredact.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            # A command's --debug lowers botocore to DEBUG for a moment; those records are
            # for that command's own stderr, not the server's log.
            "level": envstr("LOG_LEVEL", "INFO"),
            # Filtering at the handler catches every logger, botocore's debug output included.
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "botocore": {"level": envstr("BOTOCORE_LOG_LEVEL", "WARNING")},
        "daphne": {"level": "WARNING"},
    },
}

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

# Hosts that signed requests may go to (credentials/endpoints.py, docs/settings.md).
_sandbox_host = CONSOLE_SANDBOX_URL.split("://", 1)[-1].rstrip("/")
CONSOLE_ENDPOINT_ALLOWLIST = envstr(
    "CONSOLE_ENDPOINT_ALLOWLIST",
    ",".join(
        ["*.amazonaws.com", "*.amazonaws.com.cn", "*.api.aws", "*.on.aws"]
        + ([_sandbox_host] if CONSOLE_SANDBOX else [])
    ),
)
