"""Two requests writing the same unique row at once: the loser gets a 409 (problem+json under the
API, the error page elsewhere) instead of a 500, and its transaction is rolled back."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError


def _conflict():
    raise IntegrityError("INSERT INTO offer …", {}, Exception("UNIQUE constraint failed: offer.sku"))


def test_a_unique_row_written_twice_at_once_answers_409(another_app):
    app = another_app()
    app.add_url_rule("/api/v1/_conflict", "api_conflict", _conflict)
    app.add_url_rule("/_conflict", "page_conflict", _conflict)
    client = app.test_client()

    api = client.get("/api/v1/_conflict")
    assert api.status_code == 409
    assert api.content_type == "application/problem+json"
    assert api.json["title"] and "nothing was written" in api.json["detail"]
    assert "UNIQUE" not in api.get_data(as_text=True)  # nothing of the database's words

    page = client.get("/_conflict")
    assert page.status_code == 409
    assert "UNIQUE" not in page.get_data(as_text=True)
