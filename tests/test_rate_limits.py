"""Rate limits count across processes: the database storage (storefront/rate_limit_storage.py),
the log-in throttle per account and per address (storefront/web/login_throttle.py), and the
shop served by two gunicorn workers that share the counts."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront import PROJECT_ROOT, create_app
from storefront.extensions import db, limiter
from storefront.marketplace.models import RateLimitCounter
from storefront.rate_limit_storage import DatabaseStorage, purge_expired
from storefront.settings import ConfigError, load_settings
from tests import factories
from tests.conftest import make_test_environ
from tests.order_fixtures import PASSWORD

LOGIN = "/compte/connexion"
THROTTLED = "Too many unsuccessful attempts to log in to this account"


# --- the storage -------------------------------------------------------------------------------


@pytest.fixture
def storage(app_context):
    return DatabaseStorage(engine=db.engine)


def test_incr_counts_within_the_window_and_get_reads_it(storage):
    before = time.time()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=5) == 8
    assert storage.get("k") == 8 and storage.get("other") == 0
    # The window runs from the first hit, not from the last.
    assert before + 60 <= storage.get_expiry("k") <= time.time() + 60
    assert storage.get_expiry("other") == pytest.approx(time.time(), abs=1)


def test_an_expired_window_counts_zero_and_starts_again(storage):
    storage.incr("short", 0.2)
    storage.incr("short", 0.2)
    assert storage.get("short") == 2
    time.sleep(0.3)
    assert storage.get("short") == 0
    assert storage.incr("short", 60) == 1  # a new window, of the new length
    assert storage.get_expiry("short") > time.time() + 50


def test_clear_forgets_one_key_and_reset_every_key(storage):
    for key in ("a", "b", "c"):
        storage.incr(key, 60)
    storage.clear("a")
    assert [storage.get(k) for k in ("a", "b", "c")] == [0, 1, 1]
    assert storage.reset() == 2
    assert storage.get("b") == 0 and storage.check()


def test_keys_longer_than_the_column_stay_apart(storage, session):
    long_key = "LIMITER/" + "2001:db8::1/" * 30
    assert storage.incr(long_key + "a", 60) == 1
    assert storage.incr(long_key + "b", 60) == 1
    assert storage.incr(long_key + "a", 60) == 2
    stored = session.scalars(select(RateLimitCounter.key)).all()
    assert len(stored) == 2 and all(len(k) <= 255 for k in stored)


def test_purge_expired_deletes_only_the_windows_that_ended(storage, session):
    storage.incr("gone", 0.1)
    storage.incr("kept", 3600)
    time.sleep(0.2)
    assert purge_expired(db.engine, time.time()) == 1
    assert session.scalars(select(RateLimitCounter.key)).all() == ["kept"]
    # With a session and a datetime, as a periodic job would call it.
    from datetime import UTC, datetime, timedelta

    assert purge_expired(session, datetime.now(UTC) + timedelta(hours=2)) == 1
    assert session.scalars(select(RateLimitCounter.key)).all() == []


def test_increments_from_two_threads_count_exactly(storage):
    def hit_many():
        for _ in range(100):
            storage.incr("threads", 60)

    threads = [threading.Thread(target=hit_many) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.get("threads") == 200


_HIT_SCRIPT = """
import sys, time
from pathlib import Path
from sqlalchemy import create_engine
from storefront.rate_limit_storage import DatabaseStorage
url, start, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
storage = DatabaseStorage(engine=create_engine(url))
while not start.exists():
    time.sleep(0.01)
for _ in range(count):
    storage.incr("processes", 60)
"""


def test_increments_from_two_processes_count_exactly(storage, app, tmp_path):
    start = tmp_path / "start"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _HIT_SCRIPT, app.config["SQLALCHEMY_DATABASE_URI"], str(start), "150"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1.5)  # both have imported and wait at the start line
    start.touch()
    for process in processes:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    assert storage.get("processes") == 300


# --- the settings and the wiring ---------------------------------------------------------------


def _settings(tmp_path, **environ):
    return load_settings({"STOREFRONT_INSTANCE": str(tmp_path), **environ}, tmp_path)


def test_limits_count_in_the_database_unless_redis_is_configured(tmp_path):
    assert _settings(tmp_path)["RATELIMIT_STORAGE"] == "database"
    assert _settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")["RATELIMIT_STORAGE"] == "redis"
    assert _settings(tmp_path, RATELIMIT_STORAGE=" Memory ")["RATELIMIT_STORAGE"] == "memory"


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"RATELIMIT_STORAGE": "memcached"}, "is not one of database, redis, memory"),
        ({"RATELIMIT_STORAGE": "redis"}, "needs REDIS_URL"),
        (
            {
                "RATELIMIT_STORAGE": "memory",
                "STOREFRONT_ENV": "production",
                "SECRET_KEY": "x" * 40,
                "MAIL_URL": "smtp://relay:25",
                "PAYMENT_PROVIDER": "sandbox",
            },
            "counts per process",
        ),
    ],
)
def test_a_wrong_storage_stops_the_shop_in_one_line(tmp_path, environ, words):
    with pytest.raises(ConfigError, match=words) as error:
        _settings(tmp_path, **environ)
    assert "\n" not in str(error.value)


def test_the_app_binds_the_limiter_to_the_chosen_store(app, tmp_path_factory):
    try:
        assert app.config["RATELIMIT_STORAGE_URI"] == "storefront-db://"
        redis_app = create_app(
            make_test_environ(tmp_path_factory, REDIS_URL="redis://127.0.0.1:6379/15")
        )
        assert type(limiter.storage).__name__ == "RedisStorage"  # not connected until used
        with redis_app.app_context():
            db.engine.dispose()
    finally:
        # The limiter is one object for the process: give it back to the test app.
        from storefront import rate_limit_storage

        rate_limit_storage.init_app(app)
    assert isinstance(limiter.storage, DatabaseStorage)


def test_catalog_pages_do_not_touch_the_counters_but_limited_forms_do(client, count_queries):
    with count_queries() as home:
        assert client.get("/").status_code == 200
    assert home and not any("rate_limit_counter" in s for s in home)
    token = _token(client)
    with count_queries() as login:
        client.post(LOGIN, data={"email": "x@example.com", "password": "nope", "csrf_token": token})
    assert any("rate_limit_counter" in s for s in login)


def test_card_attempts_count_in_the_shared_store(client, session):
    client.post("/commande/paiement", data={"csrf_token": _token(client)})
    keys = session.scalars(select(RateLimitCounter.key)).all()
    assert any("checkout.payment" in key for key in keys), keys


# --- the log-in throttle, in one process ------------------------------------------------------


def _token(client, address: str = "127.0.0.1") -> str:
    page = client.get(LOGIN, environ_base={"REMOTE_ADDR": address}).text
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _log_in(client, email: str, password: str, address: str):
    return client.post(
        LOGIN,
        data={"email": email, "password": password, "csrf_token": _token(client, address)},
        environ_base={"REMOTE_ADDR": address},
        headers={"Accept-Language": "en"},
    )


@pytest.fixture
def alice(session):
    user = factories.user(session, email="alice@example.com")
    session.commit()
    return user


@pytest.mark.parametrize("email", ["alice@example.com", " ALICE@example.com", "nobody@example.com"])
def test_five_failures_from_one_address_refuse_it_that_account(app, alice, email):
    client = app.test_client()
    for _ in range(5):
        assert _log_in(client, email, "guess", "192.0.2.1").status_code == 422
    # The sixth is refused before the password is read: the right one does not get in, and an
    # unknown address is answered exactly as a real one.
    refused = _log_in(client, email, PASSWORD, "192.0.2.1")
    assert refused.status_code == 429
    assert THROTTLED in refused.text and 'name="email"' in refused.text  # the form, again
    assert "Retry-After" not in refused.headers
    # Another account from the same address, and the same account from elsewhere, go on.
    assert _log_in(client, "bob@example.com", "guess", "192.0.2.1").status_code == 422
    assert _log_in(client, "alice@example.com", PASSWORD, "192.0.2.2").status_code == 302


def test_the_refusal_is_in_french_for_a_french_visitor(app, alice):
    client = app.test_client()
    for _ in range(5):
        _log_in(client, "alice@example.com", "guess", "192.0.2.1")
    page = client.post(
        LOGIN,
        data={"email": "alice@example.com", "password": "guess", "csrf_token": _token(client, "192.0.2.1")},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
        headers={"Accept-Language": "fr"},
    )
    assert page.status_code == 429
    assert "Trop de tentatives de connexion à ce compte ont échoué" in page.text


def test_logging_in_forgets_the_failures_of_that_address(app, alice):
    client = app.test_client()
    for _ in range(4):
        _log_in(client, "alice@example.com", "guess", "192.0.2.1")
    assert _log_in(client, "alice@example.com", PASSWORD, "192.0.2.1").status_code == 302
    other = app.test_client()  # logged out, same address: four more typos are allowed
    for _ in range(4):
        assert _log_in(other, "alice@example.com", "guess", "192.0.2.1").status_code == 422


def test_many_addresses_trip_the_account_limit_but_not_the_owner(app, alice):
    client = app.test_client()
    for n in range(20):
        assert _log_in(client, "alice@example.com", "guess", f"198.51.100.{n}").status_code == 422
    # The account is under attack: an address that already failed on it is refused…
    assert _log_in(client, "alice@example.com", PASSWORD, "198.51.100.3").status_code == 429
    # …a new one gets one try, then is refused too…
    assert _log_in(client, "alice@example.com", "guess", "203.0.113.9").status_code == 422
    assert _log_in(client, "alice@example.com", PASSWORD, "203.0.113.9").status_code == 429
    # …and the owner, from an address with no failures, gets in.
    owner = app.test_client()
    assert _log_in(owner, "alice@example.com", PASSWORD, "203.0.113.50").status_code == 302


# --- two gunicorn workers ----------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One visitor of the served shop: a cookie jar, its CSRF token, an address it claims
    through X-Forwarded-For (the shop trusts one proxy)."""

    def __init__(self, base: str, address: str | None = None):
        self.base = base
        self.headers = {"Accept-Language": "en"}
        if address:
            self.headers["X-Forwarded-For"] = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )
        self.token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', self.request("GET", LOGIN)[1]
        ).group(1)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, body, self.headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, email: str, password: str) -> tuple[int, str]:
        return self.request(
            "POST", LOGIN, {"email": email, "password": password, "csrf_token": self.token}
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_shop(app, app_context, tmp_path, tmp_path_factory):
    """``gunicorn app:app --workers 2`` on the test database (migrated by the ``app`` fixture),
    behind one trusted proxy; yields its base URL and its access log (pid of the worker, method,
    path, status on each line)."""
    port = _free_port()
    access_log = tmp_path / "access.log"
    error_log = tmp_path / "error.log"
    environ = make_test_environ(
        tmp_path_factory,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        TRUSTED_PROXIES="1",
    )
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "RATELIMIT_STORAGE")}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"), "app:app",
            "--workers", "2", "--bind", f"127.0.0.1:{port}",
            "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
            "--error-logfile", str(error_log),
        ],
        cwd=PROJECT_ROOT,
        env={**inherited, **environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            booted = error_log.exists() and error_log.read_text().count("Booting worker") >= 2
            if booted and _answers(f"http://127.0.0.1:{port}{LOGIN}"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start: " + (error_log.read_text() if error_log.exists() else ""))
        yield f"http://127.0.0.1:{port}", access_log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _workers_that_served_posts(access_log: Path) -> set[str]:
    time.sleep(0.2)  # the access log line is written after the response
    lines = access_log.read_text().splitlines()
    return {line.split()[0] for line in lines if f" POST {LOGIN} " in line}


def test_two_workers_share_the_per_address_login_limit(gunicorn_shop, session):
    base, access_log = gunicorn_shop
    browsers = [Browser(base), Browser(base)]  # same address (no proxy header): 127.0.0.1

    def guess(n: int) -> int:
        return browsers[n % 2].log_in(f"guess{n}@example.com", "wrong")[0]

    # In pairs at the same time, so that both workers take some; each POST is another account,
    # so only the per-address limit (10 per minute) applies.
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(guess, range(12)))
    assert sorted(statuses) == [422] * 10 + [429] * 2, statuses
    assert len(_workers_that_served_posts(access_log)) == 2
    counted = session.scalars(
        select(RateLimitCounter.hits).where(RateLimitCounter.key.contains("account.login"))
    ).all()
    assert counted == [12]  # one count, in the database, for both workers


def test_two_workers_share_the_account_limit_and_the_owner_still_gets_in(gunicorn_shop, session):
    base, access_log = gunicorn_shop
    factories.user(session, email="alice@example.com")
    session.commit()
    attackers = [Browser(base, f"198.51.100.{n}") for n in range(20)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(lambda b: b.log_in("alice@example.com", "guess")[0], attackers))
    assert statuses == [422] * 20
    assert len(_workers_that_served_posts(access_log)) == 2

    # Twenty failures across both workers trip the account: addresses that failed are refused,
    # the right password included.
    status, page = attackers[7].log_in("alice@example.com", PASSWORD)
    assert status == 429 and THROTTLED in page
    # The owner, from an address with no failures, logs in.
    owner = Browser(base, "203.0.113.50")
    status, _ = owner.log_in("alice@example.com", PASSWORD)
    assert status == 302
    assert owner.request("GET", "/compte/")[0] == 200
