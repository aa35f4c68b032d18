"""Operations: the runs of the scheduled jobs, for the back office's operations page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class JobRun(Base):
    """One run of a scheduled job (``storefront/jobs``: the common wrapper writes it): when it
    started and finished, whether it ended well, and its result or error in a few words.
    ``finished_at`` is empty while it runs (or when its worker died). Old runs are purged."""

    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_name_started", "name", "started_at"),
                      Index("ix_job_run_started", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    ok: Mapped[bool | None]
    message: Mapped[str] = mapped_column(Text, default="")
