"""Import jobs: an import recorded by the portal, the API or a feed runs here, never in a web
request. A sweep picks up imports whose queued task was lost (queue unreachable at submit time)
or whose worker was killed midway (they go on from their last committed batch)."""

from __future__ import annotations

from flask import current_app
from huey import crontab
from sqlalchemy.orm import Session

from storefront.extensions import db
from storefront.jobs import periodic_task, task
from storefront.marketplace import catalog_imports, offer_imports
from storefront.marketplace import clock as shop_clock
from storefront.marketplace.models import DataImport, ImportKind


@task
def run_data_import(import_id: int) -> str:
    """Run one import (its batches commit one by one); returns its status."""
    with Session(db.engine) as session:
        storage = offer_imports.Storage.from_settings(current_app.config)
        record = session.get(DataImport, import_id)
        if record is not None and record.kind in catalog_imports.KINDS:  # the operator's product and category files
            record = catalog_imports.run(session, import_id, storage=storage)
        else:
            record = offer_imports.run(session, import_id, storage=storage)
        return record.status.value if record is not None else "MISSING"


@periodic_task(crontab(minute="*/5"))
def sweep_data_imports() -> int:
    """Every five minutes: imports whose task was lost or whose worker was killed go on."""
    with Session(db.engine) as session:
        ids = offer_imports.stalled(session, shop_clock.of(session).now(),
                                    kinds=(ImportKind.OFFERS, *catalog_imports.KINDS))
    for import_id in ids:
        run_data_import.call_local(import_id)
    return len(ids)


@periodic_task(crontab(minute="*/5"))
def fetch_product_images() -> int:
    """Every five minutes: image URLs recorded by product imports are fetched, checked and stored."""
    from storefront import media
    from storefront.marketplace import image_fetch

    with Session(db.engine) as session:
        stored, _failed = image_fetch.fetch_pending(
            session, media.store(), allow_private=current_app.config["IMPORT_IMAGES_ALLOW_PRIVATE_URLS"])
    return stored
