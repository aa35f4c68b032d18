"""All models, importable from one place: ``from storefront.marketplace.models import Offer``.

Each domain keeps its models in its own module; this file only gathers them so that the metadata
(and therefore migrations) sees every table.
"""

from .accounts import OperatorRole, Role, User, UserSession
from .addresses import Address
from .api_clients import ApiAuditEntry, ApiClient, ApiIdempotencyKey, ApiRevocation
from .audit import OperatorAuditEntry
from .base import Base, utcnow
from .billing import (
    BillingCycle,
    BillingDocument,
    BillingDocumentKind,
    BillingPeriod,
    CustomerCreditNote,
    CustomerInvoice,
    DocumentCounter,
    IssuedDocumentChanged,
    PeriodState,
    Statement,
    StatementEntry,
)
from .cart import Cart, CartDelivery, CartLine
from .catalog import (
    Condition,
    Fulfillment,
    Offer,
    OfferState,
    Product,
    ProductAttributeValue,
    ProductImage,
)
from .customers import CustomerBlock
from .delivery import DeliveryMode, ShippingRate, Zone, ZoneRule
from .discussions import (
    DiscussionTopic,
    Message,
    RelationsModel,
    Thread,
    ThreadKind,
    ThreadRead,
    ThreadStatus,
)
from .events import EventCategory, EventMember, EventPick, PickKind
from .exports import ExportFormat, OrderExportSetting
from .finance import CommissionRate
from .imports import (
    DataImport,
    DataImportError,
    FeedFrequency,
    FeedStatus,
    ImportCategoryMapping,
    ImportColumnMapping,
    ImportKind,
    ImportLevel,
    ImportMode,
    ImportSource,
    ImportStatus,
    OfferFeed,
    ProductImageUrl,
)
from .ledger import (
    ImmutableEntry,
    LedgerEntry,
    LedgerKind,
    PaymentOperation,
    PaymentOperationKind,
    PaymentOperationStatus,
    SandboxAuthorization,
    SandboxCall,
)
from .listing import ProductListing
from .mappings import MappingKind, MarketplaceMapping
from .onboarding import ApplicationDocument, ApplicationState, DocumentKind, SellerApplication
from .operations import JobRun
from .orders import (
    ActorRole,
    Cancellation,
    CustomerOrder,
    LineState,
    OrderLine,
    OrderTransition,
    ReasonCode,
    ReasonType,
    Refund,
    SellerOrder,
    SellerOrderState,
)
from .outbox import OutboxMessage, OutboxStatus
from .parcels import Parcel, ParcelItem
from .payouts import BlockReason, PayoutBatch, PayoutState, StatementPayout
from .rate_limits import RateLimitCounter
from .reference import (
    Attribute,
    AttributeType,
    Brand,
    Category,
    CategoryAttribute,
    CategoryKind,
    RequirementLevel,
    ValueList,
    ValueListItem,
)
from .sellers import Seller, SellerRating, SellerState
from .store import ReferenceGeneration, StoreSetting
from .tracking import Carrier, Shipment, ShipmentStatus
from .webhooks import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription

__all__ = [name for name in dir() if not name.startswith("_")]
