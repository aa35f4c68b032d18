"""/healthz and /readyz: the process is up; it can serve (database, migrations, job queue, SMTP)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from storefront import create_app, health, jobs
from storefront.extensions import db
from tests import email_fixtures
from tests.conftest import make_test_environ

smtp_server = email_fixtures.smtp_server


@pytest.fixture(autouse=True)
def fresh_smtp_results(app):
    health.forget_smtp_results()
    yield
    health.forget_smtp_results()
    jobs.init_app(app)  # create_app below binds the job queue to its own app: give it back


@pytest.fixture
def app_on(tmp_path_factory):
    """``app_on(database_url)``: a testing app on another database, disposed afterwards."""
    made = []

    def make(url: str, **environ):
        other = create_app(make_test_environ(tmp_path_factory, DATABASE_URL=url, **environ))
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_healthz_answers_without_the_database_or_a_cookie(client, count_queries):
    with count_queries() as statements:
        responses = [client.get("/healthz") for _ in range(30)]  # never rate limited
    assert {r.status_code for r in responses} == {200}
    response = responses[-1]
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert statements == []


def test_readyz_is_ok_when_everything_answers(client, smtp_server):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "queue": "ok", "smtp": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_names_smtp_when_the_relay_is_down(client):
    # The test app's MAIL_URL points to port 9, where nothing listens.
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert response.json["status"] == "unavailable"
    assert checks["smtp"] == "failed: unreachable (ConnectionRefusedError)"
    assert checks["database"] == checks["migrations"] == checks["queue"] == "ok"


def test_readyz_remembers_the_smtp_result_a_few_seconds(client):
    port = email_fixtures.free_port()
    server = email_fixtures.RecordingSmtpServer(port)
    previous = client.application.config["MAIL_URL"]
    client.application.config["MAIL_URL"] = server.url
    try:
        assert client.get("/readyz").json["checks"]["smtp"].startswith("failed")
        server.start()
        try:
            # Within SMTP_CACHE_SECONDS the probe does not connect again.
            assert client.get("/readyz").json["checks"]["smtp"].startswith("failed")
            health.forget_smtp_results()
            assert client.get("/readyz").json["checks"]["smtp"] == "ok"
        finally:
            server.stop()
    finally:
        client.application.config["MAIL_URL"] = previous


def test_readyz_fails_when_the_database_is_unreachable(app_on, smtp_server):
    # Port 1: nothing listens, the connection is refused at once.
    other = app_on("postgresql://storefront@127.0.0.1:1/storefront", MAIL_URL=smtp_server.url)
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    checks = response.json["checks"]
    assert checks["database"] == "failed: OperationalError"
    assert checks["migrations"].startswith("failed: no migration recorded")
    assert checks["smtp"] == checks["queue"] == "ok"
    assert "127.0.0.1:1" not in response.get_data(as_text=True)  # no address in the answer


def test_readyz_fails_on_an_empty_database(app_on, tmp_path, smtp_server):
    other = app_on(f"sqlite:///{tmp_path / 'empty.db'}", MAIL_URL=smtp_server.url)
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["migrations"] == "failed: no migration recorded (OperationalError)"


def test_readyz_fails_when_migrations_are_behind(app_on, tmp_path, smtp_server):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('e2000aabf736')"))
    engine.dispose()
    other = app_on(url, MAIL_URL=smtp_server.url)
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    heads = ", ".join(sorted(health.script_heads()))
    assert response.json["checks"]["migrations"] == (
        f"failed: database at e2000aabf736, code at {heads}: run flask db upgrade"
    )
