"""Import jobs: an import recorded by the portal, the API or a feed runs here, never in a web
request. A sweep picks up imports whose queued task was lost (queue unreachable at submit time)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import periodic_task, task
from storefront.marketplace import clock as shop_clock
from storefront.marketplace import offer_imports
from storefront.marketplace.models import DataImport, ImportKind, ImportStatus


@task
def run_data_import(import_id: int) -> str:
    """Run one import (its batches commit one by one); returns its status."""
    with Session(db.engine) as session:
        record = offer_imports.run(session, import_id,
                                   storage=offer_imports.Storage.from_settings(current_app.config))
        return record.status.value if record is not None else "MISSING"


@periodic_task(crontab(minute="*/5"))
def sweep_data_imports() -> int:
    """Every five minutes: imports queued more than ten minutes ago and never started."""
    with Session(db.engine) as session:
        before = shop_clock.of(session).now() - timedelta(minutes=10)
        ids = list(session.scalars(select(DataImport.id).where(
            DataImport.status == ImportStatus.QUEUED, DataImport.kind == ImportKind.OFFERS,
            DataImport.created_at < before).order_by(DataImport.id).limit(20)))
    for import_id in ids:
        run_data_import.call_local(import_id)
    return len(ids)
