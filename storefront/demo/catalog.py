"""Demo products and offers, made one product at a time from its index.

Product ``n`` is always the same product, with the same offers: its random generator is seeded
from the demo seed and ``n`` alone. So a run can stop and resume anywhere, a catalog of 500
products is the start of the catalog of 100,000, and two runs make the same shop.

Rows are plain dicts ready for Core ``INSERT``s (see :mod:`storefront.demo.bulk`); nothing here
touches the database.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from storefront.marketplace.catalog import gtin_check_digit
from storefront.marketplace.models import (
    AttributeType,
    Condition,
    Fulfillment,
    OfferState,
    RequirementLevel,
)
from storefront.marketplace.search import document
from storefront.marketplace.text import slugify

from .product_types import ALL_TYPES, Chance, ProductType
from .vocabulary import (
    ATTRIBUTES_BY_CODE,
    EVENT_CATEGORY,
    SELLERS,
    SellerSpec,
    attributes_of,
    top_level_of,
)

# Demo GTINs are EAN-13 "3760" + 8 digits + check digit. The 8 digits are the product index
# scrambled by a bijection (a multiplier prime to 10^8), so neighbours don't look sequential.
GTIN_PREFIX = "3760"
GTIN_CAPACITY = 10**8
_GTIN_MULTIPLIER = 48_271
_GTIN_OFFSET = 20_260_000

# Chance that a non-required attribute is filled in (real catalogs have gaps).
KEEP_CHANCE = {RequirementLevel.RECOMMENDED: 0.92, RequirementLevel.OPTIONAL: 0.75}

PRICE_FACTOR = {
    Condition.NEW: (0.92, 1.08),
    Condition.LIKE_NEW: (0.80, 0.90),
    Condition.VERY_GOOD: (0.72, 0.82),
    Condition.GOOD: (0.62, 0.72),
    Condition.REFURBISHED: (0.68, 0.85),
    Condition.USED: (0.50, 0.68),
}
SKU_SUFFIX = {
    Condition.NEW: "",
    Condition.LIKE_NEW: "-CN",
    Condition.VERY_GOOD: "-TB",
    Condition.GOOD: "-BE",
    Condition.REFURBISHED: "-RC",
    Condition.USED: "-OC",
}
CONDITION_COMMENTS = {
    Condition.NEW: ("", "", "", "Emballage d'origine scellé.", "Facture fournie avec le colis."),
    Condition.LIKE_NEW: ("Emballage ouvert, produit jamais utilisé.",
                         "Retour client, comme neuf, accessoires complets."),
    Condition.VERY_GOOD: ("Très légères traces d'usage invisibles à 30 cm.",),
    Condition.GOOD: ("Quelques rayures visibles, parfaitement fonctionnel.",),
    Condition.REFURBISHED: ("Reconditionné et testé par nos techniciens, garanti 12 mois.",
                            "Batterie contrôlée à plus de 85 % de sa capacité d'origine."),
    Condition.USED: ("Occasion en bon état, boîtier et notice inclus.",
                     "Produit d'occasion testé, vendu sans emballage d'origine."),
}
CLOSINGS = (
    "Garantie légale de conformité de 2 ans.",
    "Notice en français fournie.",
    "Photos non contractuelles.",
    "Service après-vente assuré en France.",
)
HEAVY_GRAMS = 30_000


def gtin_for(index: int) -> str:
    if not 0 <= index < GTIN_CAPACITY:
        raise ValueError(f"the demo catalog holds at most {GTIN_CAPACITY:,} products")
    body = f"{GTIN_PREFIX}{(index * _GTIN_MULTIPLIER + _GTIN_OFFSET) % GTIN_CAPACITY:08d}"
    return body + gtin_check_digit(body)


def shelf_price(cents: float, rng: random.Random) -> int:
    """A price as shops print them: 549,99 €, 549,00 €, 19,90 €, 9,99 €."""
    euros = max(int(cents // 100), 1)
    if euros >= 100:
        return ((euros // 10) * 10 + 9) * 100 + (99 if rng.random() < 0.7 else 0)
    return euros * 100 + rng.choice((99, 99, 90, 49))


@dataclass(frozen=True)
class ShopIds:
    """Database ids of the reference data the products point at (filled by ``shop.py``)."""

    category_ids: dict[str, int]
    attribute_ids: dict[str, int]
    item_ids: dict[tuple[str, str], int]  # (attribute code, item code) -> value list item id
    item_labels: dict[tuple[str, str], str]
    brand_ids: dict[str, int]
    seller_ids: dict[str, int]


@dataclass
class ProductRows:
    product: dict
    images: list[dict]
    values: list[dict]
    offers: list[dict]


@dataclass(frozen=True)
class _Brand:
    name: str
    id: int
    quoted: str
    models: tuple[tuple[str, dict], ...]


@dataclass(frozen=True)
class _Type:
    spec: ProductType
    category_id: int
    top_level: str | None
    requirements: dict[str, RequirementLevel]
    shown_fields: frozenset[str]  # always filled in: the title or the description shows them
    brands: tuple[_Brand, ...]
    # Rank (0 cheapest .. 1 dearest) of each value of the attribute that drives the price.
    price_ranks: dict[object, float]


@dataclass(frozen=True)
class _Seller:
    spec: SellerSpec
    id: int
    conditions: tuple[Condition, ...]
    condition_weights: tuple[float, ...]
    second_hand: bool  # sells refurbished or used copies


class CatalogGenerator:
    """Makes the rows of product ``index`` (its product, images, attribute values and offers)."""

    def __init__(self, ids: ShopIds, seed: int):
        self.ids = ids
        self.seed = seed
        self.types = [self._compile(product_type) for product_type in ALL_TYPES]
        self.cum_weights = []
        total = 0
        for product_type in ALL_TYPES:
            total += product_type.share
            self.cum_weights.append(total)
        sellers = [
            _Seller(
                spec,
                ids.seller_ids[spec.code],
                tuple(spec.conditions),
                tuple(spec.conditions.values()),
                any(condition != Condition.NEW for condition in spec.conditions),
            )
            for spec in SELLERS
        ]
        self.retailer = next(seller for seller in sellers if seller.spec.is_operator)
        self.sellers_by_top: dict[str, list[_Seller]] = {}
        for seller in sellers:
            for top in seller.spec.sells:
                self.sellers_by_top.setdefault(top, []).append(seller)

    def _compile(self, spec: ProductType) -> _Type:
        event = spec.category == EVENT_CATEGORY.code
        # Attributes the title or a sentence of the description mentions are always filled in.
        fields = {
            name
            for template in (spec.title, *spec.pitches)
            for _, name, _, _ in string.Formatter().parse(template)
            if name
        }
        brands = tuple(
            _Brand(
                name,
                self.ids.brand_ids[name],
                quote(name),
                tuple((m, {}) if isinstance(m, str) else m for m in models),
            )
            for name, models in spec.brands.items()
        )
        price_ranks: dict[object, float] = {}
        choices = spec.values.get(spec.price_by)
        if choices is not None and not isinstance(choices, Chance):
            distinct = list(dict.fromkeys(choices))
            if len(distinct) > 1:
                price_ranks = {value: i / (len(distinct) - 1) for i, value in enumerate(distinct)}
        return _Type(
            spec,
            self.ids.category_ids[spec.category],
            None if event else top_level_of(spec.category),
            {} if event else attributes_of(spec.category),
            frozenset(fields) - {"noun", "brand", "model"},
            brands,
            price_ranks,
        )

    # --- one product ---------------------------------------------------------------------------

    def rows(self, index: int, product_id: int, now: datetime) -> ProductRows:
        rng = random.Random(self.seed * 1_000_000_007 + index)
        kind = rng.choices(self.types, cum_weights=self.cum_weights)[0]
        spec = kind.spec
        brand = rng.choice(kind.brands)
        pattern, overrides = rng.choice(brand.models)
        model = _fill(pattern, rng)

        values: dict[str, object] = {}
        for code, choices in spec.values.items():
            if code not in overrides:
                values[code] = _draw(choices, rng)
        for code, value in overrides.items():
            if code in ("price", "weight"):
                continue
            if value is None:
                values.pop(code, None)
            else:
                values[code] = value
        score = kind.price_ranks.get(values.get(spec.price_by))
        if score is None:
            score = rng.random()

        low, high = overrides.get("weight", spec.weight)
        kilos = low + (high - low) * (0.6 * score + 0.4 * rng.random())
        grams = round(kilos * 1000, -1 if kilos >= 1 else 0)
        low, high = overrides.get("price", spec.price)
        reference_cents = (low + (high - low) * (0.7 * score + 0.3 * rng.random())) * 100

        kept: dict[str, object] = {}
        if "modele" in kind.requirements and rng.random() < 0.95:
            kept["modele"] = model
        for code, value in values.items():
            requirement = kind.requirements[code]
            if (
                requirement == RequirementLevel.REQUIRED
                or code in kind.shown_fields
                or rng.random() < KEEP_CHANCE[requirement]
            ):
                kept[code] = value
        if "poids" in kind.requirements:
            kept["poids"] = round(grams / 1000, 2 if grams < 10_000 else 1)

        shown = {code: self._display(code, value) for code, value in kept.items()}
        words = {"noun": spec.noun, "brand": brand.name, "model": model}
        title = " ".join(spec.title.format(**words, **shown).split())[:250]
        gtin = gtin_for(index)
        description = self._description(spec, kept, shown, words, rng)

        product = {
            "id": product_id,
            "gtin": gtin,
            "title": title,
            "slug": slugify(title, 200),
            "brand_id": brand.id,
            "category_id": kind.category_id,
            "description": description,
            "search_text": document(title, brand.name, description, gtin),
            "weight_grams": int(grams),
            "highlighted": rng.random() < 0.03,
            "created_at": now - timedelta(minutes=rng.randrange(365 * 24 * 60)),
        }
        image_count = 1 + (rng.random() < 0.55) + (rng.random() < 0.2)
        images = [
            {
                "product_id": product_id,
                "url": f"/media/placeholder/{gtin}-{n}.svg?label={brand.quoted}",
                "alt": title if n == 1 else f"{title} – vue {n}",
                "position": n - 1,
            }
            for n in range(1, image_count + 1)
        ]
        value_rows = [self._value_row(product_id, code, value) for code, value in kept.items()]
        offers = self._offers(index, product_id, kind, reference_cents, int(grams), rng, now)
        return ProductRows(product, images, value_rows, offers)

    def _display(self, code: str, value: object) -> str:
        attribute = ATTRIBUTES_BY_CODE[code]
        if attribute.type == AttributeType.LIST:
            return self.ids.item_labels[(code, value)]
        if attribute.type == AttributeType.BOOLEAN:
            return "oui" if value else "non"
        if attribute.type in (AttributeType.INTEGER, AttributeType.DECIMAL):
            number = f"{value:g}".replace(".", ",")
            return f"{number} {attribute.unit}" if attribute.unit else number
        return str(value)

    def _value_row(self, product_id: int, code: str, value: object) -> dict:
        attribute = ATTRIBUTES_BY_CODE[code]
        row = {
            "product_id": product_id,
            "attribute_id": self.ids.attribute_ids[code],
            "item_id": None,
            "number_value": None,
            "text_value": None,
        }
        if attribute.type == AttributeType.LIST:
            row["item_id"] = self.ids.item_ids[(code, value)]
        elif attribute.type == AttributeType.BOOLEAN:
            row["number_value"] = 1.0 if value else 0.0
        elif attribute.type in (AttributeType.INTEGER, AttributeType.DECIMAL):
            row["number_value"] = float(value)
        else:
            row["text_value"] = str(value)[:250]
        return row

    def _description(self, spec, kept, shown, words, rng) -> str:
        pitches = [spec.pitches[0], *(p for p in spec.pitches[1:] if rng.random() < 0.7)]
        lead = " ".join(pitch.format(**words, **shown) for pitch in pitches)
        features = [
            f"• {ATTRIBUTES_BY_CODE[code].label} : {shown[code]}" for code in kept if code != "modele"
        ]
        closing = rng.choice(CLOSINGS)
        if features:
            return f"{lead}\n\nCaractéristiques principales :\n" + "\n".join(features) + f"\n\n{closing}"
        return f"{lead}\n\n{closing}"

    # --- offers --------------------------------------------------------------------------------

    def _offers(self, index, product_id, kind, reference_cents, grams, rng, now) -> list[dict]:
        """Who sells the product: 1P only, 3P only, or the retailer against 1 to 9 sellers."""
        if kind.top_level is None:  # Black Friday packs are the retailer's exclusives
            first_party, third_parties = True, 0
        else:
            draw = rng.random()
            if draw < 0.09:
                first_party, third_parties = True, 0
            elif draw < 0.20:
                first_party, third_parties = False, rng.randint(1, 3)
            elif draw < 0.28:
                first_party, third_parties = True, rng.randint(1, 2)
            else:
                first_party, third_parties = True, rng.randint(3, 9)
        candidates = self.sellers_by_top.get(kind.top_level, [])
        chosen = rng.sample(candidates, min(third_parties, len(candidates)))
        heavy = grams >= HEAVY_GRAMS
        offers = []
        if first_party:
            offers.append(self._first_party_offer(index, product_id, kind, reference_cents, heavy,
                                                  rng, now))
        for seller in chosen:
            condition = Condition.NEW
            if kind.spec.second_hand and seller.second_hand:
                condition = rng.choices(seller.conditions, seller.condition_weights)[0]
            offers.append(self._seller_offer(index, product_id, seller, condition,
                                             reference_cents, heavy, rng, now))
            # Second-hand specialists often list a second copy in another condition.
            if kind.spec.second_hand and seller.second_hand and rng.random() < 0.3:
                other = rng.choices(seller.conditions, seller.condition_weights)[0]
                if other != condition:
                    offers.append(self._seller_offer(index, product_id, seller, other,
                                                     reference_cents, heavy, rng, now))
        if len(offers) > 1:
            for offer in offers[1:]:
                if rng.random() < 0.02:
                    offer["state"] = OfferState.INACTIVE.value
        return offers

    def _first_party_offer(self, index, product_id, kind, reference_cents, heavy, rng, now):
        price = shelf_price(reference_cents * rng.uniform(0.97, 1.04), rng)
        event = kind.top_level is None
        origin = None
        if event or rng.random() < 0.25:
            origin = max(shelf_price(price * rng.uniform(1.15, 1.4), rng), price + 100)
        low_stock = rng.random() < 0.06
        return _offer_row(
            seller_id=self.retailer.id,
            product_id=product_id,
            sku=f"{self.retailer.spec.sku_prefix}{index:08d}",
            condition=Condition.NEW,
            price=price,
            origin_price=origin,
            stock=rng.randint(0, 2) if low_stock else rng.randint(5, 400),
            max_per_order=2 if heavy else 10,
            lead_time_days=rng.randint(0, 1),
            fulfillment=Fulfillment.OPERATOR,
            comment="Offre Black Friday, dans la limite des stocks." if event else "",
            now=now,
        )

    def _seller_offer(self, index, product_id, seller, condition, reference_cents, heavy, rng, now):
        spec = seller.spec
        low, high = PRICE_FACTOR[condition]
        price = shelf_price(
            reference_cents * spec.price_level * rng.uniform(low, high), rng
        )
        origin = None
        if condition == Condition.NEW and rng.random() < 0.2:
            origin = max(shelf_price(price * rng.uniform(1.1, 1.35), rng), price + 100)
        elif condition != Condition.NEW and rng.random() < 0.5:
            # Second-hand offers show the new price they save on.
            origin = max(shelf_price(reference_cents, rng), price + 100)
        operator_fulfilled = rng.random() < spec.operator_fulfilled
        if condition != Condition.NEW:
            stock = rng.randint(1, 6)
        elif rng.random() < 0.08:
            stock = rng.randint(0, 2)
        else:
            stock = rng.randint(3, 150)
        comments = CONDITION_COMMENTS[condition]
        return _offer_row(
            seller_id=seller.id,
            product_id=product_id,
            sku=f"{spec.sku_prefix}-{index:07d}{SKU_SUFFIX[condition]}",
            condition=condition,
            price=price,
            origin_price=origin,
            stock=stock,
            max_per_order=2 if heavy else (3 if condition != Condition.NEW else 10),
            lead_time_days=rng.randint(0, 1) if operator_fulfilled else rng.randint(*spec.lead_time),
            fulfillment=Fulfillment.OPERATOR if operator_fulfilled else Fulfillment.SELLER,
            comment=rng.choice(comments),
            now=now,
        )


def _offer_row(*, seller_id, product_id, sku, condition, price, origin_price, stock,
               max_per_order, lead_time_days, fulfillment, comment, now) -> dict:
    return {
        "seller_id": seller_id,
        "product_id": product_id,
        "sku": sku,
        "condition": condition.value,
        "price": price,
        "origin_price": origin_price,
        "currency": "EUR",
        "stock": stock,
        "max_per_order": max_per_order,
        "lead_time_days": lead_time_days,
        "fulfillment": fulfillment.value,
        "state": OfferState.ACTIVE.value,
        "comment": comment,
        "updated_at": now,
    }


def _fill(pattern: str, rng: random.Random) -> str:
    """``#`` → a digit, ``@`` → a capital letter: one model line, many references."""
    if "#" not in pattern and "@" not in pattern:
        return pattern
    return "".join(
        str(rng.randrange(10)) if ch == "#" else rng.choice(string.ascii_uppercase) if ch == "@"
        else ch
        for ch in pattern
    )


def _draw(choices, rng: random.Random):
    if isinstance(choices, Chance):
        return rng.random() < choices.p
    return rng.choice(choices)
