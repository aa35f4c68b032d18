"""A life for the demo shop, through the marketplace services (as the shop's own pages would):
an address book, orders in several states, conversations, a cart ready to check out.

``flask theme check`` runs every step on its scratch demo shop before crawling it, so that the
pages have all of that to show and every email the shop sends is rendered once with the theme;
``flask seed-demo`` runs :meth:`DemoScenario.history_steps`, so that the demo accounts have a
past.

Each step is one method; :meth:`DemoScenario.steps` lists them in order. The check runs each on
its own: a step the services refuse is reported and skipped, the next ones still run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, url_for
from sqlalchemy import func, select

from storefront import clock
from storefront.extensions import db
from storefront.settings import LOCALES

ADDRESS = {"line1": "12 rue des Lilas", "postal_code": "75011", "city": "Paris"}
CARRIER, TRACKING = "COLISSIMO", "6A12345678901"
CANCEL_REASON, REFUND_REASON = "OUT_OF_STOCK", "COMMERCIAL_GESTURE"
ORDER_TOPIC, OFFER_TOPIC = "WHERE_IS_MY_ORDER", "PRODUCT_QUESTION"


@dataclass
class DemoScenario:
    app: Flask
    customer_id: int
    seller_user_id: int | None
    operator_id: int | None
    demo_seller_id: int | None
    product_id: int
    offer_ids: list[int]  # one offer per shipper, the demo seller's first
    seeds: list[str] = field(default_factory=list)  # pages worth requesting first
    order_ids: list[int] = field(default_factory=list)
    reference: str = "theme-check"  # the sandbox payment references and card token it records

    @classmethod
    def find(cls, app: Flask) -> DemoScenario | None:
        """The demo's accounts and its richest product (one the demo seller sells, if any)."""
        from storefront.demo.shop import DEMO_ACCOUNTS
        from storefront.marketplace import delivery, product_detail
        from storefront.marketplace.models import Offer, Role, Seller, User

        session = db.session
        users = {
            account.role: session.scalar(select(User).where(User.email == account.email))
            for account in DEMO_ACCOUNTS
        }
        seller_code = next((a.seller_code for a in DEMO_ACCOUNTS if a.seller_code), None)
        demo_seller = (
            session.scalar(select(Seller).where(Seller.code == seller_code))
            if seller_code
            else None
        )
        by_offers = (
            select(Offer.product_id)
            .group_by(Offer.product_id)
            .order_by(func.count().desc(), Offer.product_id)
        )
        product_id = None
        if demo_seller is not None:
            product_id = session.scalar(
                by_offers.where(
                    Offer.product_id.in_(
                        select(Offer.product_id).where(
                            Offer.seller_id == demo_seller.id, Offer.stock > 0
                        )
                    )
                ).limit(1)
            )
        product_id = product_id or session.scalar(by_offers.limit(1))
        customer = users.get(Role.CUSTOMER)
        if customer is None or product_id is None:
            return None
        zone = delivery.zone_for(session, "FR", ADDRESS["postal_code"])
        detail = product_detail.product_detail(session, product_id, zone, now=clock.now())
        offers = sorted(
            (r for r in detail.offers if r.available),
            key=lambda r: demo_seller is None or r.seller.id != demo_seller.id,
        )
        picks, shippers = [], set()
        for ranked in offers:  # one offer per shipper: an order with several shipments
            if ranked.shipper.id not in shippers:
                picks.append(ranked.offer.id)
                shippers.add(ranked.shipper.id)
        product = detail.product
        sellers = sorted(
            {r.seller for r in detail.offers if not r.seller.is_operator}, key=lambda s: s.id
        )
        seeds = [
            url_for("shop.product", product_id=product.id, slug=product.slug),
            url_for("shop.search_page", q=product.title.split()[0]),
            *(url_for("shop.seller", slug=s.slug) for s in sellers[:2]),
        ]
        if product.category is not None:
            seeds.append(
                url_for(
                    "shop.category", category_id=product.category.id, slug=product.category.slug
                )
            )
        return cls(
            app=app,
            customer_id=customer.id,
            seller_user_id=users[Role.SELLER].id if users.get(Role.SELLER) else None,
            operator_id=users[Role.OPERATOR].id if users.get(Role.OPERATOR) else None,
            demo_seller_id=demo_seller.id if demo_seller else None,
            product_id=product_id,
            offer_ids=picks[:2],
            seeds=seeds,
        )

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("an address in the demo customer's book", self.add_address),
            ("a password reset email", self.ask_password_reset),
            ("a placed order", self.place_order),
            ("the order accepted, shipped and partly refunded", self.ship_and_refund),
            ("lines of the order cancelled", self.cancel_lines),
            ("a conversation about the order", self.talk_about_the_order),
            ("a question about a product", self.ask_about_the_product),
            ("a second order, waiting for the seller", self.place_order),
            ("a cart ready to check out, its payment waiting for the bank", self.pay_later),
        ]

    def history_steps(self) -> list[tuple[str, Callable[[], None]]]:
        """What ``flask seed-demo`` runs so that the demo shop has a past: the demo customer's
        address book, an order shipped (and partly refunded) by the demo seller, a conversation
        about it, a question about a product, and a second order waiting for the seller."""
        return [
            ("an address in the demo customer's book", self.add_address),
            ("a placed order", self.place_order),
            ("the order accepted, shipped and partly refunded", self.ship_and_refund),
            ("a conversation about the order", self.talk_about_the_order),
            ("a question about a product", self.ask_about_the_product),
            ("a second order, waiting for the seller", self.place_another_order),
        ]

    # --- the steps ---------------------------------------------------------------------------

    def add_address(self) -> None:
        from storefront.marketplace import addresses

        customer = self._user(self.customer_id)
        addresses.add_address(db.session, customer, name=customer.name, label="Maison", **ADDRESS)

    def ask_password_reset(self) -> None:
        from storefront.marketplace import password_reset

        password_reset.request_password_reset(
            db.session,
            self._user(self.customer_id).email,
            secret_key=self.app.secret_key,
            locale=LOCALES[0],
        )

    def fill_cart(self):
        from storefront.marketplace import cart as cart_service

        session, customer = db.session, self._user(self.customer_id)
        cart = cart_service.open_cart(session, user_id=customer.id)
        for offer_id in self.offer_ids:
            cart_service.add_item(session, cart, offer_id, 1)
        zone = cart_service.set_address(
            session,
            cart,
            cart_service.ShippingAddress(name=customer.name, **ADDRESS),
            email=customer.email,
        )
        now = clock.now()
        for shipment in cart_service.review(session, cart, zone, now=now).shipments:
            option = cart_service.cheapest(shipment.options)
            cart_service.choose_delivery(
                session, cart, shipment.shipper.id, option.mode.code, zone, now=now
            )
        cart_service.set_payment_method(
            session, cart, method="card", token=self.reference, label="Visa •••• 4242"
        )
        return cart

    def pay_later(self) -> None:
        """A cart at the last step, whose payment waits for the bank's confirmation (3-D Secure):
        checkout's pages have everything to show, the confirmation page included."""
        from storefront.marketplace import cart as cart_service
        from storefront.marketplace import checkout

        cart = self.fill_cart()
        total = cart_service.review(
            db.session, cart, cart_service.zone_of(db.session, cart), now=clock.now()
        ).total
        cart_service.hold_pending_payment(
            db.session,
            cart,
            reference=f"{self.reference}-3ds",
            idempotency_key=checkout.new_idempotency_key(),
            amount=total,
        )

    def place_order(self) -> None:
        import secrets

        from storefront.marketplace import cart as cart_service
        from storefront.marketplace import checkout

        cart = self.fill_cart()
        view = cart_service.review(
            db.session, cart, cart_service.zone_of(db.session, cart), now=clock.now()
        )
        # Authorized for real in the app's sandbox (it keeps a book of what may be captured),
        # as "Place order" does: the payment follows the order (captured when it ships, then
        # the refund goes back through the provider).
        key = checkout.new_idempotency_key()
        authorized = self.app.extensions["payment_provider"].authorize(
            f"tok_sbx_ok_{secrets.token_hex(8)}", amount=view.total, currency=view.currency,
            idempotency_key=key,
        )
        placed = checkout.place_order(
            db.session,
            cart,
            idempotency_key=key,
            payment=checkout.PaymentRecord("card", "CB", authorized.reference),
            locale=LOCALES[0],
        )
        self.order_ids.append(placed.order.id)

    def place_another_order(self) -> None:
        """An order of offers picked again: the first order may have bought the last units."""
        fresh = DemoScenario.find(self.app)
        if fresh is not None:
            self.offer_ids = fresh.offer_ids
        self.place_order()

    def ship_and_refund(self) -> None:
        from storefront.marketplace import orders, tracking
        from storefront.marketplace.models import ActorRole

        seller_order = self._seller_order(demo_seller=True)
        operator = ActorRole.OPERATOR
        if seller_order.state.value == "WAITING_ACCEPTANCE":
            orders.accept(db.session, seller_order, actor_role=operator)
        tracking.ship(
            db.session,
            seller_order,
            carrier_code=CARRIER,
            tracking_number=TRACKING,
            actor_role=operator,
        )
        orders.refund(
            db.session, seller_order, amount=500, reason_code=REFUND_REASON, actor_role=operator
        )

    def cancel_lines(self) -> None:
        from storefront.marketplace import orders
        from storefront.marketplace.models import ActorRole

        seller_order = self._seller_order(demo_seller=False)
        line = seller_order.lines[0]
        orders.cancel_lines(
            db.session,
            seller_order,
            {line.id: 1},
            reason_code=CANCEL_REASON,
            actor_role=ActorRole.OPERATOR,
        )

    def talk_about_the_order(self) -> None:
        from storefront.marketplace import discussions
        from storefront.marketplace.models import ActorRole

        seller_order = self._seller_order(demo_seller=True)
        thread = discussions.open_thread(
            db.session,
            self._user(self.customer_id),
            seller_order.seller,
            ORDER_TOPIC,
            "Bonjour, quand mon colis arrivera-t-il ?",
            seller_order=seller_order,
        )
        answer = "Il est parti ce matin, vous recevrez le suivi par email."
        if self.seller_user_id is not None:
            discussions.post_message(db.session, thread, self._user(self.seller_user_id), answer)
        if self.operator_id is not None:
            discussions.post_message(
                db.session, thread, self._user(self.operator_id), answer, to=ActorRole.CUSTOMER
            )

    def ask_about_the_product(self) -> None:
        from storefront.marketplace import discussions
        from storefront.marketplace.models import Offer

        offer = db.session.get(Offer, self.offer_ids[0])
        discussions.open_thread(
            db.session,
            self._user(self.customer_id),
            offer.seller,
            OFFER_TOPIC,
            "Est-il livré avec son câble ?",
            offer=offer,
        )

    # --- after the steps ---------------------------------------------------------------------

    def email_links(self) -> list[str]:
        """The shop's pages the emails link to (the reset page, the order's page…), as paths."""
        from storefront.marketplace.models import OutboxMessage
        from storefront.notifications.render import render_pending

        render_pending(db.session)  # what the worker does first: the links are in the bodies
        public = self.app.config["PUBLIC_URL"]
        links = []
        for body in db.session.scalars(select(OutboxMessage.text_body)):
            links += [
                url[len(public) :]
                for url in re.findall(r"https?://\S+", body)
                if url.startswith(public + "/")
            ]
        return links

    def _user(self, user_id: int):
        from storefront.marketplace.models import User

        return db.session.get(User, user_id)

    def _seller_order(self, *, demo_seller: bool):
        from storefront.marketplace.models import CustomerOrder

        if not self.order_ids:
            raise LookupError("no order was placed")
        order = db.session.get(CustomerOrder, self.order_ids[0])
        for seller_order in order.seller_orders:
            if (seller_order.seller_id == self.demo_seller_id) == demo_seller:
                return seller_order
        raise LookupError(
            "the order has no "
            + ("order of the demo seller" if demo_seller else "other seller order")
        )
