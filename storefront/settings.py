"""Configuration read from the environment.

Every value a newcomer needs has a default that runs the shop on one machine (SQLite in
``instance/``, a local job queue, a local mail capture). Production refuses to start with a value
that would be unsafe or broken, and says in one line what to fix: see :class:`ConfigError`.
The table of variables lives in the README; keep the two in step.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("development", "production", "testing")
LOCALES = ("fr", "en")
MIN_SECRET_LENGTH = 32
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message says which and how to fix it."""


def default_instance_path(environ: Mapping[str, str]) -> Path:
    """``STOREFRONT_INSTANCE``, or ``instance/`` beside the package."""
    return Path(
        environ.get("STOREFRONT_INSTANCE") or Path(__file__).resolve().parent.parent / "instance"
    ).resolve()


def load_settings(environ: Mapping[str, str], instance_path: str | os.PathLike) -> dict:
    """Turn environment variables into Flask configuration keys.

    Pure apart from the instance folder: it is created if needed (and must be writable, since the
    SQLite database, the development secret key and the job queue live there).
    """
    env = environment_name(environ)
    production = env == "production"
    instance = _writable_instance(Path(instance_path))

    public_url = environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    config: dict = {
        "ENV_NAME": env,
        "TESTING": env == "testing",
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url(
            environ.get("DATABASE_URL") or f"sqlite:///{instance / 'storefront.db'}"
        ),
        "SECRET_KEY": _secret_key(environ.get("SECRET_KEY"), instance, production),
        "MAIL_URL": _mail_url(environ.get("MAIL_URL"), production),
        "MAIL_FROM": environ.get("MAIL_FROM", "Storefront <boutique@storefront.localhost>"),
        "REDIS_URL": _redis_url(environ.get("REDIS_URL")),
        "THEME": environ.get("THEME", "default").strip() or "default",
        # Checked by storefront.themes at start-up: an unknown theme stops the shop.
        "THEMES_DIR": str(Path(environ.get("THEMES_DIR") or _PROJECT_ROOT / "themes").resolve()),
        "DEFAULT_LOCALE": _locale(environ.get("DEFAULT_LOCALE", "fr")),
        "DEFAULT_POSTAL_CODE": environ.get("DEFAULT_POSTAL_CODE", "75001"),
        # How long a process keeps its copy of preferences, mappings and delivery tables before
        # reading them again even when no change was seen (storefront/marketplace/
        # reference_cache.py; a back-office change is seen sooner: REFERENCE_CHECK_SECONDS).
        "REFERENCE_CACHE_SECONDS": _seconds(
            "REFERENCE_CACHE_SECONDS", environ.get("REFERENCE_CACHE_SECONDS"), 30, 3600
        ),
        # How often a process looks whether another one changed those (one tiny query): a
        # back-office change shows everywhere within this many seconds. The tests leave it off
        # unless they set it, so that no query count meets that read.
        "REFERENCE_CHECK_SECONDS": (
            None if env == "testing" and not environ.get("REFERENCE_CHECK_SECONDS")
            else _seconds("REFERENCE_CHECK_SECONDS", environ.get("REFERENCE_CHECK_SECONDS"), 1, 60)
        ),
        # The shop's days and hours (delivery cut-off, deadlines, dates shown): storefront.clock.
        "SHOP_TIMEZONE": _timezone(environ.get("SHOP_TIMEZONE", "Europe/Paris")),
        "SHOP_CURRENCY": environ.get("SHOP_CURRENCY", "EUR").upper(),
        "PUBLIC_URL": public_url,
        "JOBS_DB": environ.get("JOBS_DB") or str(instance / "jobs.db"),
        # Sessions: signed cookies, never readable from JavaScript, sent cross-site only on
        # top-level navigation. Secure (HTTPS only) wherever the shop runs for real.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        # Remember-me (customers only) and every signed-in session end 30 days after sign-in;
        # staff sessions after STAFF_SESSION_IDLE_MINUTES without a request
        # (storefront/marketplace/user_sessions.py says why sessions live on the server).
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "STAFF_SESSION_IDLE_MINUTES": _staff_idle_minutes(environ.get("STAFF_SESSION_IDLE_MINUTES")),
        # Webhooks to http:// and private, loopback, link-local addresses (a receiver on the
        # developer's machine); never in production (storefront/marketplace/webhooks.py).
        "WEBHOOKS_ALLOW_PRIVATE_URLS": _webhooks_allow_private(
            environ.get("WEBHOOKS_ALLOW_PRIVATE_URLS"), production
        ),
        # Product images fetched from private, loopback, link-local addresses (a test server, an
        # intranet in development); never in production (storefront/marketplace/image_fetch.py).
        "IMPORT_IMAGES_ALLOW_PRIVATE_URLS": _allow_private(
            "IMPORT_IMAGES_ALLOW_PRIVATE_URLS", environ.get("IMPORT_IMAGES_ALLOW_PRIVATE_URLS"), production
        ),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Checked by storefront.checkout at start-up: an unknown provider stops the shop.
        "PAYMENT_PROVIDER": _payment_provider(environ.get("PAYMENT_PROVIDER"), production),
        "PAYMENT_CODES": _payment_codes(environ.get("PAYMENT_CODES")),
        # Proxies in front of the shop (load balancer, TLS terminator) whose X-Forwarded-For and
        # -Proto headers are trusted: without it, rate limits would count every shopper as the
        # proxy's address.
        "TRUSTED_PROXIES": _trusted_proxies(environ.get("TRUSTED_PROXIES")),
        # Housekeeping (storefront.jobs.housekeeping): guest carts untouched for this many days,
        # and emails sent this many days ago, are deleted; failed emails are kept.
        "CART_RETENTION_DAYS": _days("CART_RETENTION_DAYS", environ.get("CART_RETENTION_DAYS"), 30),
        "OUTBOX_RETENTION_DAYS": _days(
            "OUTBOX_RETENTION_DAYS", environ.get("OUTBOX_RETENTION_DAYS"), 30
        ),
        # Observability (storefront/observability/): one JSON object per log line in production.
        "LOG_FORMAT": log_format(environ),
        "LOG_LEVEL": _log_level(environ.get("LOG_LEVEL")),
        # /metrics answers a bearer of this token; without one, only the loopback interface.
        "METRICS_TOKEN": _metrics_token(environ.get("METRICS_TOKEN")),
        # Error reports go to Sentry only when a DSN is set (sentry_sdk is not even imported).
        "SENTRY_DSN": _sentry_dsn(environ.get("SENTRY_DSN")),
        "SENTRY_TRACES_SAMPLE_RATE": _sample_rate(environ.get("SENTRY_TRACES_SAMPLE_RATE")),
        "SENTRY_RELEASE": (environ.get("SENTRY_RELEASE") or "").strip() or None,
        # Where rate limits count (storefront/rate_limit_storage.py): shared by every worker.
        "RATELIMIT_STORAGE": _ratelimit_storage(
            environ.get("RATELIMIT_STORAGE"), bool(environ.get("REDIS_URL")), production
        ),
        # The API's OAuth 2.0 server (storefront/api/auth.py): the keys that sign access tokens
        # (the first signs, the others are still accepted), who issues them, for whom.
        "API_SIGNING_KEYS": api_signing_keys(environ.get("API_SIGNING_KEYS"), instance, production),
        "API_ISSUER": _url("API_ISSUER", environ.get("API_ISSUER"), public_url),
        "API_AUDIENCE": _url("API_AUDIENCE", environ.get("API_AUDIENCE"), f"{public_url}/api/v1"),
        "API_RATE_LIMIT": _rate_limit(environ.get("API_RATE_LIMIT")),
        # How old each process's copy of the revoked tokens may be (token_revocations): one
        # query per process per interval, never one per request.
        "API_REVOCATION_REFRESH_SECONDS": _seconds(
            "API_REVOCATION_REFRESH_SECONDS", environ.get("API_REVOCATION_REFRESH_SECONDS"), 5, 300
        ),
        # An external OpenID Connect provider (Keycloak…) whose access tokens the API accepts
        # beside its own (storefront/api/oidc.py); off when OIDC_ISSUER is empty.
        **oidc_settings(
            environ, production, (environ.get("API_AUDIENCE") or "").strip() or f"{public_url}/api/v1"
        ),
        # Sellers' KYC documents (identity, Kbis, bank proof): outside static/, never served
        # but by the back office to staff allowed to read them (marketplace/uploads.py).
        "KYC_STORAGE_DIR": str(Path(environ.get("KYC_STORAGE_DIR") or instance / "kyc").resolve()),
        # Order exports pushed to sellers: each seller's files go to <root>/<seller code>/<its
        # folder> (marketplace/order_exports.py refuses folders leading out of it).
        "EXPORT_DROP_ROOT": str(Path(environ.get("EXPORT_DROP_ROOT") or instance / "exports").resolve()),
        # Imported files (offers…) and their error reports; shared by the web hosts and the
        # worker, which reads the file the web stored (marketplace/offer_imports.py).
        "IMPORT_STORAGE_DIR": str(Path(environ.get("IMPORT_STORAGE_DIR") or instance / "imports").resolve()),
        # The largest import file accepted, refused before it is read (also a declared size).
        "IMPORT_MAX_BYTES": _positive("IMPORT_MAX_BYTES", environ.get("IMPORT_MAX_BYTES"), 200_000_000),
        # Sellers' offer feeds (marketplace/offer_feeds.py): each connection and each read waits at
        # most this long; feeds on private, loopback, link-local addresses (a server on the
        # developer's machine, the tests' loopback server) only outside production.
        "FEED_TIMEOUT_SECONDS": _seconds("FEED_TIMEOUT_SECONDS", environ.get("FEED_TIMEOUT_SECONDS"), 20, 300),
        # A feed URL is typed by a seller: on a private address it would make the worker read the
        # operator's own network (metadata services, admin pages) for them.
        "FEED_ALLOW_PRIVATE_HOSTS": _allow_private(
            "FEED_ALLOW_PRIVATE_HOSTS", environ.get("FEED_ALLOW_PRIVATE_HOSTS"), production
        ),
    }
    return config


def environment_name(environ: Mapping[str, str]) -> str:
    """``STOREFRONT_ENV``, checked: ``development`` (the default), ``production`` or ``testing``.

    Also read by gunicorn.conf.py, before the application exists."""
    env = environ.get("STOREFRONT_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(
            f"STOREFRONT_ENV={env!r} is not one of {', '.join(ENVIRONMENTS)}."
        )
    return env


LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log_format(environ: Mapping[str, str]) -> str:
    """``LOG_FORMAT``: ``json`` by default in production, ``text`` elsewhere (also read by
    gunicorn.conf.py for gunicorn's own lines)."""
    default = "json" if environment_name(environ) == "production" else "text"
    value = (environ.get("LOG_FORMAT") or default).strip().lower()
    if value not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT={value!r} is not one of {', '.join(LOG_FORMATS)}.")
    return value


def _log_level(value: str | None) -> str:
    level = (value or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={value!r} is not one of {', '.join(LOG_LEVELS)}.")
    return level


def _metrics_token(value: str | None) -> str | None:
    token = (value or "").strip()
    if not token:
        return None
    if len(token) < 16:
        raise ConfigError(
            f"METRICS_TOKEN is too short ({len(token)} characters); use at least 16: "
            "python -c 'import secrets; print(secrets.token_urlsafe(24))'."
        )
    return token


def _sentry_dsn(value: str | None) -> str | None:
    dsn = (value or "").strip()
    if not dsn:
        return None
    parts = urlsplit(dsn)
    if parts.scheme not in ("http", "https") or not parts.username or not parts.hostname:
        raise ConfigError(
            f"SENTRY_DSN={dsn!r} is not a Sentry DSN; copy it from the project's settings: "
            "https://<key>@<host>/<project>."
        )
    return dsn


def _sample_rate(value: str | None) -> float:
    text = (value or "0").strip()
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ConfigError(
            f"SENTRY_TRACES_SAMPLE_RATE={value!r} is not a number from 0 to 1 "
            "(the share of requests traced; 0 sends errors only)."
        )
    return rate


def database_url(raw: str) -> str:
    """Validate ``DATABASE_URL`` and pick the driver we ship (psycopg 3 for PostgreSQL)."""
    raw = raw.strip()
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL={raw!r} is not a database URL; use sqlite:///path/to/file.db "
            "or postgresql://user@host:5432/dbname."
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        if url.drivername in ("postgres", "postgresql"):
            url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise ConfigError("DATABASE_URL names no database; add it after the host: .../dbname.")
    elif backend == "sqlite":
        if url.database and url.database != ":memory:":
            folder = Path(url.database).expanduser().resolve().parent
            if not folder.is_dir() or not os.access(folder, os.W_OK):
                raise ConfigError(
                    f"DATABASE_URL points to {url.database!r}, but {folder} is not a writable folder."
                )
    else:
        raise ConfigError(
            f"DATABASE_URL uses {backend!r}; Storefront supports sqlite and postgresql."
        )
    return url.render_as_string(hide_password=False)


def _writable_instance(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the instance folder {path} ({exc.strerror}); "
            "set STOREFRONT_INSTANCE to a writable folder."
        ) from None
    if not os.access(path, os.W_OK):
        raise ConfigError(
            f"the instance folder {path} is not writable; "
            "fix its permissions or set STOREFRONT_INSTANCE to a writable folder."
        )
    return path


def _secret_key(value: str | None, instance: Path, production: bool) -> str:
    if value:
        if production and len(value) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"SECRET_KEY is too short ({len(value)} characters); production needs at least "
                f"{MIN_SECRET_LENGTH}: python -c 'import secrets; print(secrets.token_hex(32))'."
            )
        return value
    if production:
        raise ConfigError(
            "SECRET_KEY is not set; production needs one of at least "
            f"{MIN_SECRET_LENGTH} characters: python -c 'import secrets; print(secrets.token_hex(32))'."
        )
    # Development: generate once and keep it, so sessions survive a restart.
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def api_signing_keys(value: str | None, instance: Path, production: bool) -> list[str]:
    """``API_SIGNING_KEYS``: PEM files of private keys (EC P-256 for ES256, or RSA of 2048 bits
    or more for RS256), separated by commas. The first signs new access tokens; the ones after
    it only verify, so that a key being retired keeps its tokens valid until they expire.

    Development and tests generate one EC key in the instance folder (like the secret key).
    Production generates nothing: several web hosts must share the keys, and a key made on one
    host would make its tokens fail on the others; without the variable the API answers 503.
    """
    paths = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not paths:
        if production:
            return []
        key_file = instance / "api_signing_key.pem"
        if not key_file.exists():
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ec

            pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            key_file.write_bytes(pem)
            key_file.chmod(0o600)
        paths = [str(key_file)]
    keys = []
    for path in paths:
        try:
            pem = Path(path).read_text()
        except OSError as exc:
            raise ConfigError(
                f"API_SIGNING_KEYS names {path!r}, which cannot be read ({exc.strerror})."
            ) from None
        check_signing_key(path, pem)
        keys.append(pem)
    return keys


def check_signing_key(name: str, pem: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    good = (isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1") or (
        isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048
    )
    if not good:
        raise ConfigError(
            f"API_SIGNING_KEYS: {name} is not an unencrypted PEM private key of EC P-256 or RSA "
            "2048+; make one with: openssl ecparam -name prime256v1 -genkey -noout | "
            "openssl pkcs8 -topk8 -nocrypt -out api-key.pem"
        )


def _url(name: str, value: str | None, default: str) -> str:
    url = (value or "").strip().rstrip("/") or default
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(f"{name}={value!r} is not an http(s) URL.")
    return url


def _rate_limit(value: str | None) -> str:
    """``API_RATE_LIMIT``: requests per client, in Flask-Limiter's words ("600 per minute")."""
    from limits import parse_many

    text = (value or "").strip() or "600 per minute"
    try:
        parse_many(text)
    except ValueError:
        raise ConfigError(
            f"API_RATE_LIMIT={value!r} is not a rate limit; write for example 600 per minute."
        ) from None
    return text


def _seconds(name: str, value: str | None, default: float, most: float) -> float:
    text = (value or "").strip() or str(default)
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= most:
        raise ConfigError(f"{name}={value!r} is not a number of seconds from 0 to {most:g}; the default is {default:g}.")
    return seconds


def oidc_settings(environ: Mapping[str, str], production: bool, api_audience: str) -> dict:
    """``OIDC_ISSUER`` (the provider's issuer URL, as in its tokens' ``iss``; https in
    production), ``OIDC_AUDIENCE`` (the ``aud`` its tokens must carry; by default
    ``API_AUDIENCE``), ``OIDC_SELLER_CLAIM`` (the claim holding the seller's code,
    ``seller_code``), ``OIDC_OPERATOR_ROLE`` (the scope or role that makes a token without a
    seller the operator's, ``marketplace-operator``) and ``OIDC_JWKS_MIN_REFRESH_SECONDS`` (the
    least time between two fetches of its keys when a token names an unknown one, 30)."""
    issuer = (environ.get("OIDC_ISSUER") or "").strip().rstrip("/") or None
    if issuer is not None:
        scheme = urlsplit(issuer).scheme
        if scheme not in ("http", "https") or not urlsplit(issuer).hostname:
            raise ConfigError(f"OIDC_ISSUER={issuer!r} is not an http(s) URL.")
        if production and scheme != "https":
            raise ConfigError(f"OIDC_ISSUER={issuer!r}: production trusts an issuer over https only.")
    # An audience is a StringOrURI: Keycloak's are client ids ("marketplace-api"), not URLs.
    audience = (environ.get("OIDC_AUDIENCE") or "").strip() or api_audience
    if any(ch.isspace() for ch in audience) or len(audience) > 300:
        raise ConfigError(f"OIDC_AUDIENCE={audience!r} is not an audience (a client id or a URL).")
    claim = (environ.get("OIDC_SELLER_CLAIM") or "seller_code").strip()
    role = (environ.get("OIDC_OPERATOR_ROLE") or "marketplace-operator").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.:/-]{1,100}", claim) or not re.fullmatch(r"[A-Za-z0-9_.:/-]{1,100}", role):
        raise ConfigError("OIDC_SELLER_CLAIM and OIDC_OPERATOR_ROLE are names: letters, digits, _ . : / -")
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_AUDIENCE": audience,
        "OIDC_SELLER_CLAIM": claim,
        "OIDC_OPERATOR_ROLE": role,
        "OIDC_JWKS_MIN_REFRESH_SECONDS": _seconds(
            "OIDC_JWKS_MIN_REFRESH_SECONDS", environ.get("OIDC_JWKS_MIN_REFRESH_SECONDS"), 30, 3600
        ),
    }


def _mail_url(value: str | None, production: bool) -> str:
    if not value:
        if production:
            raise ConfigError(
                "MAIL_URL is not set; production sends email through an SMTP relay: "
                "MAIL_URL=smtp://user:password@smtp.example.com:587?starttls=1."
            )
        # Development: the local capture started by `make run` (storefront/devmail.py).
        return "smtp://127.0.0.1:8025"
    parts = urlsplit(value)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            f"MAIL_URL={value!r} is not an SMTP URL; use smtp://host:port or "
            "smtps://user:password@host:465."
        )
    return value


def _payment_provider(value: str | None, production: bool) -> str:
    name = (value or "").strip().lower()
    if not name:
        if production:
            # The sandbox accepts test cards: a shop must not take orders with it by accident.
            raise ConfigError(
                "PAYMENT_PROVIDER is not set; production must name its payment provider "
                "(the built-in `sandbox` takes test cards only: PAYMENT_PROVIDER=sandbox for a demo)."
            )
        return "sandbox"
    return name


_PAYMENT_METHOD = re.compile(r"[a-z][a-z0-9_]{0,29}")
_PAYMENT_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,29}")


def _payment_codes(value: str | None) -> dict[str, str]:
    """``card=CB,paypal=PAYPAL``: each payment method of the provider with the marketplace's code
    recorded on orders (what the finance exports and the sellers' API show)."""
    if value is None or not value.strip():
        return {"card": "CB"}
    codes: dict[str, str] = {}
    for pair in value.split(","):
        method, _, code = (part.strip() for part in pair.partition("="))
        if not _PAYMENT_METHOD.fullmatch(method) or not _PAYMENT_CODE.fullmatch(code) or method in codes:
            raise ConfigError(
                f"PAYMENT_CODES={value!r} is not a list of method=CODE pairs; write for example "
                "PAYMENT_CODES=card=CB,paypal=PAYPAL (methods in lower case, codes in capitals)."
            )
        codes[method] = code
    return codes


def _trusted_proxies(value: str | None) -> int:
    text = (value or "0").strip()
    if not text.isdigit() or int(text) > 5:
        raise ConfigError(
            f"TRUSTED_PROXIES={value!r} is not a number of proxies from 0 to 5; set it to how many "
            "proxies stand in front of the shop (1 behind one load balancer)."
        )
    return int(text)


def _positive(name: str, value: str | None, default: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ConfigError(f"{name} must be at least 1, not {number}")
    return number


def _days(name: str, value: str | None, default: int) -> int:
    text = (value or "").strip() or str(default)
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise ConfigError(f"{name}={value!r} is not a number of days from 1 to 3650; the default is {default}.")
    return int(text)


def _staff_idle_minutes(value: str | None) -> int:
    text = (value or "30").strip()
    if not text.isdigit() or not 1 <= int(text) <= 1440:
        raise ConfigError(
            f"STAFF_SESSION_IDLE_MINUTES={value!r} is not a number of minutes from 1 to 1440; "
            "sellers' and the operator's sessions end after that long without activity (30)."
        )
    return int(text)


def _webhooks_allow_private(value: str | None, production: bool) -> bool:
    text = (value or ("0" if production else "1")).strip().lower()
    if text not in ("0", "1", "true", "false"):
        raise ConfigError(f"WEBHOOKS_ALLOW_PRIVATE_URLS={value!r} is not 0 or 1.")
    allowed = text in ("1", "true")
    if allowed and production:
        raise ConfigError(
            "WEBHOOKS_ALLOW_PRIVATE_URLS=1 is for development and tests: production sends webhooks "
            "only to public https addresses."
        )
    return allowed


def _allow_private(name: str, value: str | None, production: bool) -> bool:
    text = (value or ("0" if production else "1")).strip().lower()
    if text not in ("0", "1", "true", "false"):
        raise ConfigError(f"{name}={value!r} is not 0 or 1.")
    allowed = text in ("1", "true")
    if allowed and production:
        raise ConfigError(f"{name}=1 is for development and tests: production reaches only public addresses.")
    return allowed


def _redis_url(value: str | None) -> str | None:
    if not value:
        return None
    if urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL={value!r} is not a Redis URL; use redis://host:6379/0.")
    return value


def _ratelimit_storage(value: str | None, has_redis: bool, production: bool) -> str:
    """``redis`` when ``REDIS_URL`` is set, else ``database``: counts every web process shares.
    ``memory`` counts per process (a limit of 10 is 10 per gunicorn worker): development only."""
    name = (value or "").strip().lower() or ("redis" if has_redis else "database")
    if name not in ("database", "redis", "memory"):
        raise ConfigError(
            f"RATELIMIT_STORAGE={value!r} is not one of database, redis, memory."
        )
    if name == "redis" and not has_redis:
        raise ConfigError("RATELIMIT_STORAGE=redis needs REDIS_URL (redis://host:6379/0).")
    if name == "memory" and production:
        raise ConfigError(
            "RATELIMIT_STORAGE=memory counts per process, so each worker would allow the whole "
            "limit; production uses database (the default) or redis."
        )
    return name


def _locale(value: str) -> str:
    value = value.strip().lower()
    if value not in LOCALES:
        raise ConfigError(f"DEFAULT_LOCALE={value!r} is not one of {', '.join(LOCALES)}.")
    return value


def _timezone(value: str) -> str:
    name = value.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"SHOP_TIMEZONE={value!r} is not a time zone; use an IANA name such as Europe/Paris."
        ) from None
    return name
