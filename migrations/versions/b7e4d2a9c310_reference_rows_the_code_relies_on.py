"""reference rows the code relies on (reason codes, discussion topics, carriers); purge indexes

Reason codes (ACCEPTANCE_TIMEOUT among them), discussion topics and carriers, and indexes for the
housekeeping purges (storefront.marketplace.housekeeping).

A shop installed from the migrations alone must run without ``flask seed-demo``: the deadline job
cancels late orders with the CANCELATION reason ACCEPTANCE_TIMEOUT, sellers refuse and cancel,
customers ask for refunds and open threads with the operator's codes, and sellers ship with a
carrier. These rows are the starting set (French label, English label); the operator may edit or
add to it. They are written out here rather than imported from the code, so that this revision
inserts the same rows whatever the code becomes.

Idempotent: a row whose code exists already (seed-demo ran first, or the operator made it) is
left as it is. The downgrade keeps the rows (orders may refer to them; the previous revision has
the same tables) and drops the indexes.

Revision ID: b7e4d2a9c310
Revises: f1a0c2d3e4b5
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4d2a9c310'
down_revision = 'f1a0c2d3e4b5'
branch_labels = None
depends_on = None

C, RF, RS, M, INC = 'CANCELATION', 'REFUND', 'REFUSAL', 'ORDER_MESSAGING', 'INCIDENT'

# (code, type, French label, English label, customer may use, seller may use, operator may use)
REASON_CODES = [
    ('OUT_OF_STOCK', C, 'Rupture de stock', 'Out of stock', False, True, True),
    ('CUSTOMER_REQUEST', C, 'Annulation à la demande du client',
     "Cancelled at the customer's request", True, True, True),
    ('PRICE_ERROR', C, 'Erreur de prix', 'Pricing error', False, True, True),
    ('INCOMPLETE_ADDRESS', C, 'Adresse de livraison incomplète', 'Incomplete delivery address',
     False, True, True),
    ('CANNOT_DELIVER', C, 'Livraison impossible à cette adresse', 'Cannot deliver to this address',
     False, True, True),
    ('SUSPECTED_FRAUD', C, 'Suspicion de fraude', 'Suspected fraud', False, False, True),
    # The deadline job's own reason (storefront.marketplace.orders.TIMEOUT_REASON).
    ('ACCEPTANCE_TIMEOUT', C, "Délai d'acceptation dépassé", 'Acceptance deadline passed',
     False, False, True),
    ('OUT_OF_STOCK', RS, 'Rupture de stock', 'Out of stock', False, True, True),
    ('PRICE_ERROR', RS, 'Erreur de prix', 'Pricing error', False, True, True),
    ('CANNOT_DELIVER', RS, 'Livraison impossible vers cette zone', 'Cannot deliver to this area',
     False, True, True),
    ('WITHDRAWAL', RF, 'Rétractation client', 'Customer withdrawal', True, True, True),
    ('PARCEL_NOT_RECEIVED', RF, 'Colis non reçu', 'Parcel not received', True, True, True),
    ('DAMAGED', RF, 'Produit endommagé', 'Damaged product', True, True, True),
    ('NOT_AS_DESCRIBED', RF, 'Produit non conforme à la description', 'Product not as described',
     True, True, True),
    ('MISSING_ITEM', RF, 'Article manquant dans le colis', 'Item missing from parcel',
     True, True, True),
    ('DEFECTIVE', RF, 'Produit défectueux', 'Defective product', True, True, True),
    ('COMMERCIAL_GESTURE', RF, 'Geste commercial', 'Goodwill gesture', False, True, True),
    ('SHIPPING_FEES', RF, 'Remboursement des frais de port', 'Shipping fee refund',
     False, True, True),
    ('WHERE_IS_MY_ORDER', M, 'Où est ma commande ?', 'Where is my order?', True, False, True),
    ('INVOICE_REQUEST', M, 'Demande de facture', 'Invoice request', True, False, True),
    ('DELIVERY_DELAY', M, "Retard d'expédition", 'Shipping delay', False, True, True),
    ('PRODUCT_QUESTION', M, 'Question sur le produit', 'Question about the product',
     True, False, True),
    ('PARCEL_NOT_RECEIVED', INC, 'Colis non reçu', 'Parcel not received', True, False, True),
    ('DAMAGED', INC, 'Produit endommagé', 'Damaged product', True, False, True),
    ('NOT_AS_DESCRIBED', INC, 'Produit non conforme', 'Product not as described', True, False, True),
    ('WRONG_ITEM', INC, "Erreur d'article", 'Wrong item received', True, False, True),
]

# (code, French label, English label, marketplace message type, about an order, about an offer)
DISCUSSION_TOPICS = [
    ('WHERE_IS_MY_ORDER', 'Où est ma commande ?', 'Where is my order?', 'DELIVERY', True, False),
    ('DAMAGED_PRODUCT', 'Produit endommagé', 'Damaged product', 'PRODUCT_DAMAGED', True, False),
    ('INVOICE_REQUEST', 'Demande de facture', 'Invoice request', 'INVOICE', True, False),
    ('RETURN', 'Retour / rétractation', 'Return / withdrawal', 'RETURN', True, False),
    ('PRODUCT_QUESTION', 'Question sur le produit', 'Question about the product',
     'PRODUCT_INFORMATION', False, True),
    ('OTHER', 'Autre demande', 'Other request', 'OTHER', True, True),
]

# (code, name, tracking page with {tracking} for the parcel's number)
CARRIERS = [
    ('COLISSIMO', 'Colissimo', 'https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}'),
    ('CHRONOPOST', 'Chronopost',
     'https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={tracking}'),
    ('DPD', 'DPD France', 'https://trace.dpd.fr/fr/trace/{tracking}'),
    ('MONDIAL_RELAY', 'Mondial Relay',
     'https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={tracking}'),
    ('GLS', 'GLS', 'https://gls-group.com/FR/fr/suivi-colis?match={tracking}'),
    ('UPS', 'UPS', 'https://www.ups.com/track?loc=fr_FR&tracknum={tracking}'),
    ('GEODIS', 'Geodis', 'https://geodis.com/fr/suivi-de-colis?ref={tracking}'),
]

reason_code = sa.table(
    'reason_code',
    sa.column('code', sa.String), sa.column('type', sa.String), sa.column('label', sa.String),
    sa.column('label_en', sa.String), sa.column('customer_allowed', sa.Boolean),
    sa.column('seller_allowed', sa.Boolean), sa.column('operator_allowed', sa.Boolean),
    sa.column('position', sa.Integer),
)
discussion_topic = sa.table(
    'discussion_topic',
    sa.column('code', sa.String), sa.column('label', sa.String), sa.column('label_en', sa.String),
    sa.column('message_type', sa.String), sa.column('about_order', sa.Boolean),
    sa.column('about_offer', sa.Boolean), sa.column('position', sa.Integer),
)
carrier = sa.table(
    'carrier',
    sa.column('code', sa.String), sa.column('name', sa.String),
    sa.column('tracking_url_template', sa.String),
)


def upgrade():
    bind = op.get_bind()

    existing = {tuple(row) for row in bind.execute(sa.select(reason_code.c.type, reason_code.c.code))}
    rows = [
        dict(code=code, type=type_, label=label, label_en=label_en, customer_allowed=customer,
             seller_allowed=seller, operator_allowed=operator, position=position)
        for position, (code, type_, label, label_en, customer, seller, operator)
        in enumerate(REASON_CODES)
        if (type_, code) not in existing
    ]
    if rows:
        op.bulk_insert(reason_code, rows)

    existing = set(bind.execute(sa.select(discussion_topic.c.code)).scalars())
    rows = [
        dict(code=code, label=label, label_en=label_en, message_type=message_type,
             about_order=about_order, about_offer=about_offer, position=position)
        for position, (code, label, label_en, message_type, about_order, about_offer)
        in enumerate(DISCUSSION_TOPICS)
        if code not in existing
    ]
    if rows:
        op.bulk_insert(discussion_topic, rows)

    existing = set(bind.execute(sa.select(carrier.c.code)).scalars())
    rows = [
        dict(code=code, name=name, tracking_url_template=template)
        for code, name, template in CARRIERS
        if code not in existing
    ]
    if rows:
        op.bulk_insert(carrier, rows)

    # The housekeeping purges (storefront.marketplace.housekeeping) find old rows by these.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_sent', ['status', 'sent_at'], unique=False)
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cart', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_updated_at'))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_sent')
