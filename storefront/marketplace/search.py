"""Full-text search over titles, brands, descriptions and GTINs.

The indexed text is ``Product.search_text``: lower-cased and without accents (``fold``), so that
"televiseur" finds "Téléviseur" on both databases. SQLite uses an FTS5 index kept in step by
triggers; PostgreSQL a GIN index on ``to_tsvector('french', search_text)`` (French stemming).
Both are created by the migrations. What the shopper typed is reduced to words of letters and
digits before it reaches either engine, so no query syntax (or SQL) can be injected.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select, text
from sqlalchemy.orm import Session

from .models import Product, ProductListing, Zone

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
_WORD = re.compile(r"[a-z0-9]+")


def fold(value: str) -> str:
    """``Téléviseur « OLED »`` → ``televiseur « oled »``: lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def document(title: str, brand: str | None, description: str, gtin: str) -> str:
    """The text a product is found by (stored in ``Product.search_text``)."""
    return fold(" ".join(part for part in (title, brand or "", description, gtin) if part))


def words(query: str) -> list[str]:
    """The searchable words of what the shopper typed (bounded, folded, letters and digits)."""
    return _WORD.findall(fold((query or "")[:MAX_QUERY_LENGTH]))[:MAX_WORDS]


@dataclass
class SearchResult:
    product_ids: list[int]
    listings: dict[int, ProductListing]
    total: int
    page: int
    pages: int
    words: list[str]


def search(
    session: Session, query: str, zone: Zone, *, sort: str = "relevance", page: int = 1, per_page: int = 24
) -> SearchResult:
    """Products matching every word (prefixes count: "lave" finds "lave-linge"), with an offer,
    best match first; a GTIN typed in full finds its product directly."""
    terms = words(query)
    empty = SearchResult([], {}, 0, 1, 1, terms)
    if not terms:
        return empty
    PL = ProductListing
    ids_query, rank = _matching_ids(session, terms)
    base = select(PL).where(PL.zone_id == (zone.id if zone else None), PL.offer_count > 0, PL.product_id.in_(ids_query))
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    last = PL.best_total.is_(None)
    order = {
        "price": (last, PL.best_total, PL.product_id),
        "price_desc": (last, PL.best_total.desc(), PL.product_id),
        "delivery": (last, PL.best_days, PL.best_total, PL.product_id),
        "rating": (last, PL.best_rating.desc(), PL.product_id),
    }.get(sort)
    if order is None:  # relevance: the engine's rank
        ranked = rank.subquery()
        rows = session.scalars(
            select(PL).join(ranked, ranked.c.product_id == PL.product_id)
            .where(PL.zone_id == (zone.id if zone else None), PL.offer_count > 0)
            .order_by(last, ranked.c.score, PL.product_id)
            .limit(per_page).offset((page - 1) * per_page)
        ).all()
    else:
        rows = session.scalars(base.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return SearchResult([r.product_id for r in rows], {r.product_id: r for r in rows}, total, page, pages, terms)


def _matching_ids(session: Session, terms: list[str]):
    """(a select of matching product ids, a select of (product_id, score) where lower is better)."""
    dialect = session.get_bind().dialect.name
    joined = " ".join(terms)
    if joined.isdigit() and 8 <= len(joined) <= 14:
        exact = select(Product.id.label("product_id")).where(Product.gtin == joined)
        if session.scalar(exact.limit(1)) is not None:
            return exact, select(Product.id.label("product_id"), literal_column("0").label("score")).where(Product.gtin == joined)
    if dialect == "postgresql":
        tsquery = func.to_tsquery("french", " & ".join(f"{t}:*" for t in terms))
        vector = func.to_tsvector("french", Product.search_text)
        ids = select(Product.id).where(vector.op("@@")(tsquery))
        rank = select(
            Product.id.label("product_id"), (-func.ts_rank(vector, tsquery)).label("score")
        ).where(vector.op("@@")(tsquery))
        return ids, rank
    match = " ".join(f'"{t}"*' for t in terms)
    ids = select(literal_column("rowid")).select_from(text("product_fts")).where(
        text("product_fts MATCH :match").bindparams(match=match)
    )
    rank = select(
        literal_column("rowid").label("product_id"), literal_column("bm25(product_fts)").label("score")
    ).select_from(text("product_fts")).where(text("product_fts MATCH :match").bindparams(match=match))
    return ids, rank


def suggest(session: Session, query: str, *, limit: int = 8) -> list[tuple[int, str, str]]:
    """Up to ``limit`` (product id, title, slug) whose text starts words with what was typed."""
    terms = words(query)
    if not terms or len("".join(terms)) < 2:
        return []
    _, rank = _matching_ids(session, terms)
    ranked = rank.subquery()
    return [
        (row.id, row.title, row.slug)
        for row in session.execute(
            select(Product.id, Product.title, Product.slug)
            .join(ranked, ranked.c.product_id == Product.id)
            .where(Product.active.is_(True))
            .order_by(ranked.c.score, Product.id)
            .limit(limit)
        )
    ]

