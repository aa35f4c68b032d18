"""Sellers' offer feeds: a URL the worker fetches on the seller's schedule, each new file imported
exactly as an upload is (``offer_imports.submit`` with source FEED, then ``offer_imports.run``).

- :func:`save` checks the URL (http or https, a host, no user or password; outside development
  its host must resolve to public addresses only), the mode, and the frequency against the
  operator's limits (preferences ``offer_import_min_minutes`` and ``imports_per_day``): a feed
  can never import more often than the seller could by hand.
- :func:`configure` is :func:`save` and the seller's column mapping in one transaction (the
  API's ``PUT /offers/feed``); :func:`remove` deletes the feed; :func:`run_now` makes it due at
  once (the seller's "fetch now"), refused at once when the operator's limits would refuse the
  import it leads to.
- :func:`due` lists the feeds whose time has come; :func:`fetch` downloads one and imports it.
  The download connects only to an address checked just before (again after each redirect, at
  most ``MAX_REDIRECTS``), waits at most ``timeout`` to connect and for each read and 30 times
  that in all, and stops reading past ``IMPORT_MAX_BYTES``.
- A file identical to the feed's last import (or a ``304 Not Modified`` to the conditional GET)
  imports nothing. A file the feed had before, back again after another one, is imported again
  (yesterday's stocks are today's again).
- Every failure (no answer, too many redirects, a private address, an HTTP error, too big, a
  file refused by the import) is kept on the feed as a Refusal code with its details, so that
  the portal words it in the seller's language; the next attempt is the normal next one.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import clock as shop_clock
from . import data_imports, offer_imports, pinned_http, preferences, webhooks
from .errors import DomainError, InvalidTransition, InvalidValue, NotFound
from .import_files import check_size
from .models import (
    DataImport,
    FeedFrequency,
    FeedStatus,
    ImportKind,
    ImportMode,
    ImportSource,
    ImportStatus,
    OfferFeed,
    Seller,
)
from .refusals import Refusal
from .unit_of_work import atomic, transaction

log = logging.getLogger(__name__)

MAX_URL_LENGTH = 2000
MAX_REDIRECTS = 5
TOTAL_TIMEOUT_FACTOR = 30  # the whole download: at most 30 times the connect/read timeout
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MINUTES = {FeedFrequency.EVERY_15_MINUTES: 15, FeedFrequency.HOURLY: 60, FeedFrequency.DAILY: 1440}
USER_AGENT = "Storefront-Feeds/1"


@dataclass(frozen=True)
class FeedSettings:
    """What a fetch needs from the settings: the imports' storage (and its size cap),
    ``FEED_TIMEOUT_SECONDS`` and ``FEED_ALLOW_PRIVATE_HOSTS``."""

    storage: offer_imports.Storage
    timeout: float = 20.0
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings) -> FeedSettings:
        return cls(offer_imports.Storage.from_settings(settings), float(settings["FEED_TIMEOUT_SECONDS"]),
                   bool(settings["FEED_ALLOW_PRIVATE_HOSTS"]))


class FeedRefused(InvalidValue):
    """The feed could not be fetched (or its URL is not acceptable)."""


# -- the seller's feed -------------------------------------------------------------------------------


def feed_of(session: Session, seller_id: int) -> OfferFeed | None:
    return session.scalar(select(OfferFeed).where(OfferFeed.seller_id == seller_id))


@atomic
def save(
    session: Session,
    seller: Seller,
    *,
    url: str,
    mode: ImportMode | str = ImportMode.NORMAL,
    frequency: FeedFrequency | str = FeedFrequency.DAILY,
    daily_time: time_of_day | None = None,
    enabled: bool = True,
    allow_private: bool = False,
) -> OfferFeed:
    """Create or change the seller's feed. A new URL (or a feed switched on again) is fetched
    within the minute; otherwise the schedule goes on from the last fetch."""
    url = check_url(url, allow_private=allow_private)
    try:
        mode = ImportMode(str(mode).upper())
    except ValueError:
        raise InvalidValue(f"the mode is NORMAL or REPLACE, not {mode!r}", reason=Refusal.IMPORT_MODE,
                           field="mode") from None
    try:
        frequency = FeedFrequency(str(frequency).upper())
    except ValueError:
        raise InvalidValue(f"unknown frequency {frequency!r}", reason=Refusal.FEED_FREQUENCY, field="frequency",
                           **_limits(session)) from None
    check_frequency(session, frequency)
    if frequency == FeedFrequency.DAILY and daily_time is None:
        raise InvalidValue("a daily feed needs its time of day", reason=Refusal.FEED_DAILY_TIME, field="daily_time")
    now = shop_clock.of(session).now()
    feed = feed_of(session, seller.id)
    restart = feed is None or feed.url != url or (enabled and not feed.enabled)
    if feed is None:
        feed = OfferFeed(seller_id=seller.id, created_at=now)
        session.add(feed)
    if feed.url != url:  # another server: its validators mean nothing to the new one
        feed.etag, feed.last_modified = "", ""
    feed.url, feed.mode, feed.frequency, feed.enabled = url, mode, frequency, bool(enabled)
    feed.daily_minute = daily_time.hour * 60 + daily_time.minute if frequency == FeedFrequency.DAILY else None
    if restart or feed.last_fetched_at is None:
        feed.next_due_at = now
    else:
        feed.next_due_at = next_due(feed, feed.last_fetched_at, shop_clock.of(session).tz)
    feed.updated_at = now
    session.flush()
    return feed


@atomic
def configure(
    session: Session,
    seller: Seller,
    *,
    columns: dict[str, str] | None = None,
    **feed,
) -> OfferFeed:
    """:func:`save` the feed (``feed``: its keyword arguments) and, when ``columns`` is given, the
    seller's column mapping (``offer_imports.save_mapping``: it applies to every offer file of
    the seller, the feed's and the uploads), both or neither."""
    saved = save(session, seller, **feed)
    if columns is not None:
        offer_imports.save_mapping(session, seller, columns)
    return saved


def my_feed(session: Session, seller_id: int) -> OfferFeed:
    """The seller's feed, or NotFound (a seller never reaches another's)."""
    feed = feed_of(session, seller_id)
    if feed is None:
        raise NotFound("this seller has no offer feed")
    return feed


@atomic
def remove(session: Session, seller: Seller) -> None:
    """Delete the seller's feed (its imports stay, as every import does)."""
    session.delete(my_feed(session, seller.id))
    session.flush()


@atomic
def run_now(session: Session, seller: Seller) -> OfferFeed:
    """Make the seller's feed due now: the worker fetches it at once (the caller queues that
    fetch) instead of at its next scheduled time. A switched-off feed is refused, and so is a
    run the operator's limits would refuse anyway (at least ``offer_import_min_minutes`` between
    two offer imports, ``imports_per_day``), so that the seller hears it now rather than on the
    feed's next error. The schedule then goes on from this fetch."""
    feed = my_feed(session, seller.id)
    if not feed.enabled:
        raise InvalidTransition("the feed is switched off: switch it on first", reason=Refusal.FEED_DISABLED,
                                field="enabled")
    now = shop_clock.of(session).now()
    data_imports.check_limits(session, seller.id, ImportKind.OFFERS, now)
    feed.next_due_at = now
    session.flush()
    return feed


def last_import(session: Session, feed: OfferFeed) -> DataImport | None:
    """The import the feed's last file became (None before its first one)."""
    return session.get(DataImport, feed.last_import_id) if feed.last_import_id else None


def _limits(session: Session) -> dict[str, int]:
    return {"minutes": int(preferences.get(session, "offer_import_min_minutes")),
            "limit": int(preferences.get(session, "imports_per_day"))}


def check_frequency(session: Session, frequency: FeedFrequency) -> None:
    """The operator's limits on a seller's imports apply to its feed's schedule."""
    limits = _limits(session)
    minutes = MINUTES[frequency]
    if minutes < limits["minutes"] or 1440 // minutes > limits["limit"]:
        raise InvalidValue(f"a feed {frequency.value} imports more often than the shop allows",
                           reason=Refusal.FEED_FREQUENCY, field="frequency", **limits)


def allowed_frequencies(session: Session) -> list[FeedFrequency]:
    """The frequencies the operator's limits allow (the form offers these first)."""
    allowed = []
    for frequency in FeedFrequency:
        try:
            check_frequency(session, frequency)
        except InvalidValue:
            continue
        allowed.append(frequency)
    return allowed


def check_url(url: str, *, allow_private: bool = False) -> str:
    """``url`` if it may be a feed, else :class:`FeedRefused`: http or https with a host, no
    user or password, whose host resolves (to public addresses only, unless ``allow_private``)."""
    url = (url or "").strip()
    parts = _parts(url)
    _resolve(parts.hostname, _port(parts), allow_private)
    return url


def _parts(url: str):
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (len(url) > MAX_URL_LENGTH or parts.scheme not in ("https", "http") or not parts.hostname
            or parts.username is not None or port == -1 or any(ch.isspace() for ch in url)):
        raise FeedRefused(f"a feed URL is an http(s):// URL with a host, not {url[:100]!r}",
                          reason=Refusal.FEED_URL, field="url")
    return parts


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _resolve(host: str, port: int, allow_private: bool) -> str:
    """An address of ``host`` to connect to; every address it has is checked (``webhooks.is_public``
    is the one rule of what a public address is)."""
    try:
        addresses = webhooks.resolve(host, port, allow_private=True)
    except InvalidValue as error:
        raise FeedRefused(error.message, reason=Refusal.FEED_UNREACHABLE, field="url",
                          error=f"DNS: {host}") from None
    if not allow_private:
        for address in addresses:
            if not webhooks.is_public(address):
                raise FeedRefused(f"{host} resolves to {address}, which is not a public address",
                                  reason=Refusal.FEED_PRIVATE_ADDRESS, field="url")
    return addresses[0]


# -- the schedule ------------------------------------------------------------------------------------


def next_due(feed: OfferFeed, after: datetime, tz: ZoneInfo) -> datetime:
    """When the feed is fetched next, counted from ``after`` (the end of the last fetch: two
    imports of the feed are never closer than its frequency, which the limits allowed)."""
    if feed.frequency != FeedFrequency.DAILY:
        return after + timedelta(minutes=MINUTES[feed.frequency])
    minute = feed.daily_minute or 0
    local = after.astimezone(tz)
    moment = datetime(local.year, local.month, local.day, minute // 60, minute % 60, tzinfo=tz)
    if moment <= after:
        day = local.date() + timedelta(days=1)
        moment = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return moment.astimezone(after.tzinfo)


def due(session: Session, now: datetime, *, limit: int = 100) -> list[int]:
    """The feeds to fetch now (switched on, their time come), the longest waiting first."""
    return list(session.scalars(
        select(OfferFeed.id).where(OfferFeed.enabled.is_(True), OfferFeed.next_due_at <= now)
        .order_by(OfferFeed.next_due_at, OfferFeed.id).limit(limit)))


# -- fetching ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    feed: OfferFeed
    fetched: bool  # False: not due, switched off, or taken by another worker
    import_id: int | None = None
    to_run: bool = False  # an import was recorded (or resumed) and waits for its run


@dataclass(frozen=True)
class Download:
    not_modified: bool
    digest: str = ""
    size: int = 0
    etag: str = ""
    last_modified: str = ""


def fetch(session: Session, feed: OfferFeed, now: datetime | None = None, *, settings: FeedSettings) -> Fetched:
    """Fetch ``feed`` if it is due, and record an import of a new file. Commits: the claim
    first (nothing is held while the server answers), then the outcome. The caller runs (or
    queues) the import when ``to_run``."""
    clock = shop_clock.of(session)
    now = now or clock.now()
    if not _claim(session, feed, now, clock.tz):
        return Fetched(feed, False)
    folder = settings.storage.root / "feeds"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"feed-{feed.id}-{uuid.uuid4().hex}.part"
    try:
        try:
            got = download(feed.url, target, max_bytes=settings.storage.max_bytes, timeout=settings.timeout,
                           allow_private=settings.allow_private, etag=feed.etag, last_modified=feed.last_modified)
        except DomainError as error:
            return _record(session, feed, now, error=error)
        if got.not_modified:
            return _record(session, feed, now, status=FeedStatus.UNCHANGED, import_id=feed.last_import_id)
        last = session.get(DataImport, feed.last_import_id) if feed.last_import_id else None
        if last is not None and last.file_hash == got.digest and last.status != ImportStatus.FAILED:
            return _record(session, feed, now, status=FeedStatus.UNCHANGED, import_id=last.id, download=got)
        seller = session.get(Seller, feed.seller_id)
        try:
            with target.open("rb") as stream:
                record, to_run = offer_imports.submit(
                    session, seller, stream, storage=settings.storage, file_name=_file_name(feed.url),
                    mode=feed.mode, source=ImportSource.FEED, declared_size=got.size, again=True)
        except DomainError as error:  # the file itself, or the seller's limits: tried again next time
            session.rollback()
            return _record(session, feed, now, error=error)
        status = FeedStatus.IMPORTED if to_run or record.id != feed.last_import_id else FeedStatus.UNCHANGED
        return _record(session, feed, now, status=status, import_id=record.id, download=got, to_run=to_run)
    finally:
        target.unlink(missing_ok=True)


def _claim(session: Session, feed: OfferFeed, now: datetime, tz: ZoneInfo) -> bool:
    """Move the feed's next fetch forward, in one conditional UPDATE committed at once: of two
    workers, one fetches it; a worker killed midway leaves it for its next turn."""
    with transaction(session):
        claimed = session.execute(
            update(OfferFeed)
            .where(OfferFeed.id == feed.id, OfferFeed.enabled.is_(True), OfferFeed.next_due_at <= now)
            .values(next_due_at=next_due(feed, now, tz))
            .execution_options(synchronize_session=False)
        ).rowcount
    session.refresh(feed)
    return claimed == 1


def _record(session: Session, feed: OfferFeed, now: datetime, *, status: FeedStatus = FeedStatus.FAILED,
            error: DomainError | None = None, import_id: int | None = None, download: Download | None = None,
            to_run: bool = False) -> Fetched:
    clock = shop_clock.of(session)
    with transaction(session):
        feed.last_fetched_at = now
        feed.last_status = status
        if error is not None:
            log.warning("offer feed %s (seller %s) failed: %s", feed.id, feed.seller_id, error.message)
            details = {k: v for k, v in error.details.items()
                       if k not in ("reason", "field") and isinstance(v, str | int | float)}
            feed.last_error = error.message[:2000]
            feed.last_error_code = str(error.details.get("reason") or "")[:40]
            feed.last_error_details = details
        else:
            feed.last_error, feed.last_error_code, feed.last_error_details = "", "", {}
            feed.last_import_id = import_id
            if download is not None:  # validators only of a file the shop has taken in
                feed.etag, feed.last_modified = download.etag[:200], download.last_modified[:100]
        # Counted from the end of this fetch (the download took time): never sooner than the
        # frequency after the import it recorded.
        feed.next_due_at = next_due(feed, max(now, clock.now()), clock.tz)
    return Fetched(feed, True, import_id if error is None else None, to_run)


def last_error(feed: OfferFeed) -> DomainError | None:
    """Why the feed's last fetch failed, for ``web.refusals.explain`` to word it."""
    if feed.last_status != FeedStatus.FAILED or not feed.last_error:
        return None
    return DomainError(feed.last_error, **({"reason": feed.last_error_code} if feed.last_error_code else {}),
                       **(feed.last_error_details or {}))


def _file_name(url: str) -> str:
    name = PurePosixPath(urlsplit(url).path).name
    return (name or urlsplit(url).hostname or "feed")[-200:]


def download(url: str, target: Path, *, max_bytes: int, timeout: float, allow_private: bool,
             etag: str = "", last_modified: str = "") -> Download:
    """GET ``url`` into ``target`` (see the module's docstring for the limits); raises
    :class:`FeedRefused` (or ``FileRefused`` when too big) with a Refusal code."""
    deadline = time.monotonic() + timeout * TOTAL_TIMEOUT_FACTOR
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = _parts(url)
            port = _port(parts)
            address = _resolve(parts.hostname, port, allow_private)  # again at each hop: no rebinding
            connection = pinned_http.connection(parts.scheme, parts.hostname, port, address, timeout)
            try:
                connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                                   headers=headers)
                response = connection.getresponse()
                if response.status in REDIRECT_STATUSES and response.getheader("Location"):
                    url = urljoin(url, response.getheader("Location").strip())
                    continue
                if response.status == 304 and (etag or last_modified):
                    return Download(not_modified=True)
                if not 200 <= response.status < 300:
                    raise FeedRefused(f"the server answered HTTP {response.status}", reason=Refusal.FEED_HTTP,
                                      status=response.status)
                declared = (response.getheader("Content-Length") or "").strip()
                check_size(int(declared) if declared.isdigit() else None, max_bytes)
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := response.read(1 << 16):
                        size += len(chunk)
                        check_size(size, max_bytes)  # stop reading past the cap
                        if time.monotonic() > deadline:
                            raise TimeoutError("the whole download took too long")
                        digest.update(chunk)
                        out.write(chunk)
                return Download(False, digest.hexdigest(), size, response.getheader("ETag") or "",
                                response.getheader("Last-Modified") or "")
            finally:
                connection.close()
    except TimeoutError:
        raise FeedRefused(f"no answer from {url[:200]} within {timeout:g} s", reason=Refusal.FEED_TIMEOUT,
                          seconds=f"{timeout:g}") from None
    except (OSError, http.client.HTTPException) as error:
        raise FeedRefused(f"{url[:200]}: {type(error).__name__}: {error}"[:500], reason=Refusal.FEED_UNREACHABLE,
                          error=type(error).__name__) from None
    raise FeedRefused(f"more than {MAX_REDIRECTS} redirects", reason=Refusal.FEED_REDIRECTS, limit=MAX_REDIRECTS)
