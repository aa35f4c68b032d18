"""Configuration: defaults that run at once, and one clear line where production needs more."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from storefront import clock, create_app, jobs
from storefront.settings import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
PROD = {
    "STOREFRONT_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "MAIL_URL": "smtp://relay.example.com:587",
    "PAYMENT_PROVIDER": "sandbox",
}


@pytest.fixture(autouse=True)
def job_queue_stays_with_the_test_app(app):
    """``create_app`` binds the job queue to the app it builds: give it back to the test app, or
    the emails of later tests would be delivered from these apps' empty databases."""
    yield
    jobs.init_app(app)


def test_development_defaults(tmp_path):
    config = load_settings({}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'storefront.db'}"
    assert config["MAIL_URL"] == "smtp://127.0.0.1:8025"
    assert config["DEFAULT_LOCALE"] == "fr" and config["THEME"] == "default"
    assert config["SESSION_COOKIE_HTTPONLY"] and not config["SESSION_COOKIE_SECURE"]
    assert config["REDIS_URL"] is None
    assert config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    assert config["STAFF_SESSION_IDLE_MINUTES"] == 30


def test_development_secret_is_generated_once(tmp_path):
    first = load_settings({}, tmp_path)["SECRET_KEY"]
    assert len(first) == 64 and (tmp_path / "secret_key").read_text() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert load_settings({}, tmp_path)["SECRET_KEY"] == first


def test_production_is_secure(tmp_path):
    config = load_settings(PROD, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert not (tmp_path / "secret_key").exists()


def test_postgres_urls_use_psycopg(tmp_path):
    config = load_settings({"DATABASE_URL": "postgres://shop:pw@db:5432/shop"}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop:pw@db:5432/shop"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({**PROD, "SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({**PROD, "SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({**PROD, "MAIL_URL": ""}, "MAIL_URL is not set"),
        ({**PROD, "MAIL_URL": "http://mail"}, "not an SMTP URL"),
        ({"DATABASE_URL": "not a url"}, "is not a database URL"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "supports sqlite and postgresql"),
        ({"DATABASE_URL": "postgresql://x@y"}, "names no database"),
        ({"DATABASE_URL": "sqlite:////nonexistent-dir/x.db"}, "not a writable folder"),
        ({"DEFAULT_LOCALE": "de"}, "DEFAULT_LOCALE='de' is not one of fr, en"),
        ({"REDIS_URL": "http://x"}, "not a Redis URL"),
        ({"STOREFRONT_ENV": "staging"}, "STOREFRONT_ENV='staging'"),
        ({"SHOP_TIMEZONE": "Mars/Olympus"}, "SHOP_TIMEZONE='Mars/Olympus' is not a time zone"),
        ({"STAFF_SESSION_IDLE_MINUTES": "0"}, "STAFF_SESSION_IDLE_MINUTES='0' is not a number"),
        ({"STAFF_SESSION_IDLE_MINUTES": "half an hour"}, "STAFF_SESSION_IDLE_MINUTES="),
    ],
)
def test_configuration_errors(tmp_path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ, tmp_path)


def test_instance_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot create the instance folder"):
        load_settings({}, blocker / "instance")


def test_app_factory_takes_its_own_environment(tmp_path):
    app = create_app({"STOREFRONT_INSTANCE": str(tmp_path), "DEFAULT_LOCALE": "en"}, TESTING=True)
    assert app.config["DEFAULT_LOCALE"] == "en" and app.config["TESTING"]
    assert app.instance_path == str(tmp_path)
    for name in ("seed-demo", "db"):
        assert name in app.cli.commands


def test_the_shop_clock_comes_from_the_settings(tmp_path):
    assert load_settings({}, tmp_path)["SHOP_TIMEZONE"] == "Europe/Paris"
    frozen = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
    app = create_app({"STOREFRONT_INSTANCE": str(tmp_path), "SHOP_TIMEZONE": "Europe/London"},
                     FROZEN_TIME=frozen)
    with app.app_context():
        assert clock.tz().key == "Europe/London" and clock.now() == frozen
        assert clock.today() == date(2026, 12, 4)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"FROZEN_TIME": datetime(2026, 12, 4, 13, 0)}, "FROZEN_TIME must be timezone-aware"),
        ({"SHOP_TIMEZONE": "Mars/Olympus"}, "SHOP_TIMEZONE='Mars/Olympus' is not a time zone"),
    ],
)
def test_a_bad_shop_clock_stops_the_app(tmp_path, config, message):
    with pytest.raises(ConfigError, match=message):
        create_app({"STOREFRONT_INSTANCE": str(tmp_path)}, **config)


def _start(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STOREFRONT_", "SECRET_KEY", "DATABASE_URL", "MAIL_URL"))}
    clean.update({"STOREFRONT_INSTANCE": str(tmp_path)}, **env)
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import app"],
        [str(Path(sys.executable).parent / "flask"), "--app", "app", "seed-demo"],
    ],
    ids=["import", "flask-cli"],
)
def test_start_up_error_is_one_line(tmp_path, command):
    result = _start(command, tmp_path, STOREFRONT_ENV="production", MAIL_URL="smtp://relay:25")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "storefront: configuration error: SECRET_KEY is not set; production needs one of at least "
        "32 characters: python -c 'import secrets; print(secrets.token_hex(32))'."
    ]
    assert "Traceback" not in result.stderr


def test_payment_settings_come_from_the_environment(tmp_path):
    config = load_settings({"PAYMENT_CODES": "card=CB, paypal=PAYPAL"}, tmp_path)
    assert config["PAYMENT_PROVIDER"] == "sandbox"
    assert config["PAYMENT_CODES"] == {"card": "CB", "paypal": "PAYPAL"}
    assert load_settings({}, tmp_path)["PAYMENT_CODES"] == {"card": "CB"}


@pytest.mark.parametrize("codes", ["card", "card=", "=CB", "card=CB,card=VISA", "Card=CB", "card=C B"])
def test_malformed_payment_codes_are_refused(tmp_path, codes):
    with pytest.raises(ConfigError, match="PAYMENT_CODES"):
        load_settings({"PAYMENT_CODES": codes}, tmp_path)


def test_production_names_its_payment_provider(tmp_path):
    without = {key: value for key, value in PROD.items() if key != "PAYMENT_PROVIDER"}
    with pytest.raises(ConfigError, match="PAYMENT_PROVIDER is not set"):
        load_settings(without, tmp_path)


def test_an_unknown_payment_provider_stops_the_shop(tmp_path):
    with pytest.raises(ConfigError, match="PAYMENT_PROVIDER='stripe' is unknown; the providers are: sandbox"):
        create_app({**PROD, "PAYMENT_PROVIDER": "stripe", "STOREFRONT_INSTANCE": str(tmp_path)})


@pytest.mark.parametrize("value", ["-1", "two", "9"])
def test_trusted_proxies_is_a_small_count(tmp_path, value):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_settings({"TRUSTED_PROXIES": value}, tmp_path)


@pytest.mark.parametrize(("proxies", "seen"), [("1", "203.0.113.7 https"), ("0", "10.0.0.1 http")])
def test_behind_trusted_proxies_the_client_comes_from_forwarded_headers(tmp_path, proxies, seen):
    """Rate limits count the shopper's address, not the load balancer's; the scheme is the one
    the shopper used. Headers from an untrusted client change nothing."""
    from flask import request

    shop = create_app({"STOREFRONT_INSTANCE": str(tmp_path), "TRUSTED_PROXIES": proxies,
                       "DATABASE_URL": f"sqlite:///{tmp_path / 'proxy.db'}"})
    shop.add_url_rule("/_who", "who", lambda: f"{request.remote_addr} {request.scheme}")
    response = shop.test_client().get(
        "/_who", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.get_data(as_text=True) == seen


def test_retention_periods_default_to_thirty_days(tmp_path):
    config = load_settings({}, tmp_path)
    assert (config["CART_RETENTION_DAYS"], config["OUTBOX_RETENTION_DAYS"]) == (30, 30)
    config = load_settings({"CART_RETENTION_DAYS": "7", "OUTBOX_RETENTION_DAYS": " 90 "}, tmp_path)
    assert (config["CART_RETENTION_DAYS"], config["OUTBOX_RETENTION_DAYS"]) == (7, 90)


@pytest.mark.parametrize("name", ["CART_RETENTION_DAYS", "OUTBOX_RETENTION_DAYS"])
@pytest.mark.parametrize("value", ["0", "-3", "thirty", "1.5", "99999"])
def test_a_retention_period_is_a_number_of_days(tmp_path, name, value):
    with pytest.raises(ConfigError, match=f"^{name}=.*number of days"):
        load_settings({name: value}, tmp_path)
