"""The runs of the scheduled jobs, so the operator sees that they run and how they ended.

The jobs' common wrapper (``storefront.jobs.Task``) calls :func:`started` before a scheduled
job and :func:`finished` after it, each in a short transaction of its own (a job that fails and
rolls back its work still leaves its run, marked as an error). Runs older than
:data:`KEEP_DAYS` are purged by the housekeeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import housekeeping
from .models import JobRun, utcnow

KEEP_DAYS = 30
MAX_MESSAGE = 500


def started(session: Session, name: str, *, now: datetime | None = None) -> int:
    run = JobRun(name=name[:80], started_at=now or utcnow())
    session.add(run)
    session.commit()
    return run.id


def finished(session: Session, run_id: int, *, ok: bool, message: str = "", now: datetime | None = None) -> None:
    run = session.get(JobRun, run_id)
    if run is None:  # purged meanwhile: nothing to say
        return
    run.finished_at = now or utcnow()
    run.ok = ok
    run.message = message[:MAX_MESSAGE]
    session.commit()


@dataclass(frozen=True)
class JobStatus:
    """A scheduled job, its last run, and how many of its runs failed in the last day."""

    name: str
    last: JobRun | None
    failures_today: int


def statuses(session: Session, names: list[str], *, now: datetime | None = None) -> list[JobStatus]:
    """Each of ``names`` (the scheduled jobs) with its last run (two queries)."""
    now = now or utcnow()
    last_ids = select(func.max(JobRun.id)).where(JobRun.name.in_(names)).group_by(JobRun.name)
    last = {run.name: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(last_ids)))}
    failures = dict(session.execute(
        select(JobRun.name, func.count()).where(
            JobRun.name.in_(names), JobRun.ok.is_(False), JobRun.started_at >= now - timedelta(days=1)
        ).group_by(JobRun.name)
    ).all())
    return [JobStatus(name, last.get(name), failures.get(name, 0)) for name in sorted(names)]


def history(session: Session, name: str = "", *, page: int = 1, per_page: int = 25) -> tuple[list[JobRun], int]:
    query = select(JobRun)
    if name:
        query = query.where(JobRun.name == name[:80])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    runs = session.scalars(
        query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(runs), total


def _purge(session: Session, now: datetime) -> int:
    # Committed batch by batch like every purge: left open, the DELETE's locks on the current
    # run's row would make the wrapper's own "finished" write wait for the job that waits for it.
    return housekeeping.delete_in_batches(session, JobRun, JobRun.started_at < now - timedelta(days=KEEP_DAYS))


# The runs carry their own retention (no setting): the cutoff the housekeeping passes is "now".
housekeeping.register(housekeeping.Purge("job_runs", _purge))
