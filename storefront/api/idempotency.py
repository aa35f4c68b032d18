"""``Idempotency-Key`` on the API's POSTs: a client that retries a request it got no answer to
(a timeout, a dropped connection) sends the same key and gets the first answer again, instead
of the work being done twice.

- A key is kept per client (``api_idempotency_key``) with a hash of the request (method, path,
  query, body) and, once answered, the response (status, body, ``Location``/``ETag``).
- The same key with another request is a 422 problem ``idempotency_key_reused``; the same key
  while the first request is still running is a 409 problem ``idempotency_key_in_use``.
- Only successful answers (2xx) are kept: a refused request changed nothing, so its retry simply
  runs again. A key is forgotten after ``KEEP``; so is it when the first request failed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import wraps

from flask import current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.marketplace import housekeeping
from storefront.marketplace.models import ApiIdempotencyKey
from storefront.marketplace.models.base import utcnow

from .problems import ApiProblem

HEADER = "Idempotency-Key"
KEEP = housekeeping.IDEMPOTENCY_KEY_LIFETIME  # then purged by the hourly housekeeping job
KEPT_HEADERS = ("Content-Type", "Location", "ETag")


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode()):
        digest.update(part.encode() + b"\0")
    if request.mimetype == "multipart/form-data":
        _multipart(digest)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _multipart(digest) -> None:
    """A multipart body by its parts (fields, then each file's name and content), not its bytes:
    a client retrying an upload sends the same file under another random boundary, which is the
    same request. Files are read from werkzeug's parsed parts (spooled to disk when big), never
    held whole in memory, and rewound for the view."""
    for name, value in sorted(request.form.items(multi=True), key=lambda item: item[0]):
        digest.update(f"field\0{name}\0{value}\0".encode())
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        digest.update(f"file\0{name}\0{upload.filename or ''}\0".encode())
        while chunk := upload.stream.read(1 << 20):
            digest.update(chunk)
        upload.stream.seek(0)
        digest.update(b"\0")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite gives naive times


def _replay(row: ApiIdempotencyKey):
    answer = current_app.response_class(row.body, status=row.status)
    for name, value in (row.headers or {}).items():
        answer.headers[name] = value
    answer.headers["Idempotent-Replayed"] = "true"
    return answer


def _claim(client_id: str, key: str, digest: str) -> ApiIdempotencyKey | None:
    """The kept row to answer from, or None once this request holds the key (row committed)."""
    session = db.session
    query = select(ApiIdempotencyKey).where(ApiIdempotencyKey.client_id == client_id,
                                            ApiIdempotencyKey.key == key)
    for _attempt in range(2):
        row = session.scalar(query)
        if row is not None and _aware(row.created_at) < utcnow() - KEEP:
            session.delete(row)
            session.commit()
            row = None
        if row is not None:
            if row.request_hash != digest:
                raise ApiProblem(422, "idempotency_key_reused",
                                 "This Idempotency-Key was used for another request; use a new key.",
                                 field=HEADER)
            if row.status is None:
                raise ApiProblem(409, "idempotency_key_in_use",
                                 "A request with this Idempotency-Key is still running; retry later.",
                                 field=HEADER)
            return row
        session.add(ApiIdempotencyKey(client_id=client_id, key=key, request_hash=digest, status=None,
                                      body="", headers={}))
        try:
            session.commit()
            return None
        except IntegrityError:
            session.rollback()  # another request took the key meanwhile: read it
    raise ApiProblem(409, "idempotency_key_in_use",
                     "A request with this Idempotency-Key is still running; retry later.", field=HEADER)


def _forget(client_id: str, key: str) -> None:
    db.session.rollback()
    db.session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.client_id == client_id,
                                                       ApiIdempotencyKey.key == key))
    db.session.commit()


def idempotent(view):
    """Honour ``Idempotency-Key`` on a view of :func:`require_scope` (it receives ``caller``)."""

    @wraps(view)
    def run(*args, caller, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, caller=caller, **kwargs)
        key = key.strip()
        if not 1 <= len(key) <= 255:
            raise ApiProblem(400, "invalid_parameter", "An Idempotency-Key is 1 to 255 characters.",
                             field=HEADER)
        kept = _claim(caller.client_id, key, _request_hash())
        if kept is not None:
            return _replay(kept)
        try:
            answer = current_app.make_response(view(*args, caller=caller, **kwargs))
        except BaseException:
            _forget(caller.client_id, key)
            raise
        if not 200 <= answer.status_code < 300:
            _forget(caller.client_id, key)
            return answer
        row = db.session.scalar(select(ApiIdempotencyKey).where(
            ApiIdempotencyKey.client_id == caller.client_id, ApiIdempotencyKey.key == key))
        row.status, row.body = answer.status_code, answer.get_data(as_text=True)
        row.headers = {name: answer.headers[name] for name in KEPT_HEADERS if name in answer.headers}
        db.session.commit()
        return answer

    run.api_idempotent = True  # documented on the operation (storefront/api/schema.py)
    return run
