"""The demo's event categories: the Black Friday shelf, whose rule is the retailer's exclusive
packs (filed under the EVENT category that used to be the home page's "Right now" chip), live
for four weeks from the seeding day, so a fresh demo shows a shelf on its home page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.marketplace import event_categories
from storefront.marketplace.models import Category, EventCategory

from .vocabulary import EVENT_CATEGORY


def ensure_events(session: Session, now) -> None:
    if session.scalar(select(EventCategory.id).where(EventCategory.slug == EVENT_CATEGORY.code)):
        return
    packs = session.scalar(select(Category.id).where(Category.code == EVENT_CATEGORY.code))
    event_categories.create(session, None, event_categories.EventRules(
        name=EVENT_CATEGORY.label, name_en=EVENT_CATEGORY.label_en, slug=EVENT_CATEGORY.code,
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=27),
        category_ids=[packs] if packs else [], min_discount=None if packs else 30,
    ))
