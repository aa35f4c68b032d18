"""Links that carry their own proof (password reset, email confirmation): a signed, dated payload.

Nothing is stored for them, so nothing needs cleaning up; what makes such a link single-use is a
value of the account that its payload must still match (the caller checks it).
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def make(secret_key: str | bytes, salt: str, payload: dict) -> str:
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps(payload)


def read(
    secret_key: str | bytes,
    salt: str,
    token: str,
    *,
    max_age_seconds: int,
    fields: dict[str, type],
    what: str,
    invalid: type[Exception],
    expired: type[Exception],
) -> dict:
    """The payload of ``token`` if signed with ``salt``, younger than ``max_age_seconds`` and
    holding ``fields`` of their types; otherwise ``expired`` or ``invalid`` ("this {what} link …")."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=salt).loads(token or "", max_age=max_age_seconds)
    except SignatureExpired:
        raise expired(f"this {what} link has expired") from None
    except BadSignature:
        raise invalid(f"this {what} link is not valid") from None
    if not isinstance(data, dict) or any(
        not isinstance(data.get(name), kind) for name, kind in fields.items()
    ):
        raise invalid(f"this {what} link is not valid")
    return data
