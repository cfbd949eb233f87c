"""The event contract, version 1 (`shared/contracts/events.md`), as pydantic models.

Warden accepts exactly this contract: optional fields may be added here, required ones never.
Unknown extra fields are kept (`extra="allow"`) but ignored by the product.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainValidator, TypeAdapter, WithJsonSchema
from pydantic.functional_serializers import PlainSerializer

CONTRACT_VERSION = 1

_DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _parse_decimal(value: Any) -> Decimal:
    """Amounts are decimal strings; floats are refused because they lose cents."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('amounts are decimal strings such as "0.0153", not floats')
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal number: {value!r}") from None
    if not parsed.is_finite():
        raise ValueError(f"not a finite decimal number: {value!r}")
    return parsed


DecimalString = Annotated[
    Decimal,
    PlainValidator(_parse_decimal),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": _DECIMAL_PATTERN, "examples": ["0.0153"]}),
]
NonNegativeDecimal = Annotated[DecimalString, Field()]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, PlainSerializer(lambda d: _utc(d).isoformat().replace("+00:00", "Z"))]

Identifier = Annotated[str, Field(min_length=1, max_length=128)]
Asset = Annotated[str, Field(pattern=r"^[A-Z0-9]{1,16}$", description="ticker, upper case")]
Network = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$", description="lower case: bitcoin, ethereum, ...")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Phone = Annotated[str, Field(pattern=r"^\+[1-9]\d{1,14}$", description="E.164")]
Address = Annotated[str, Field(min_length=1, max_length=256)]


class EventBase(BaseModel):
    """The envelope every event carries."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=False)

    event_id: Identifier = Field(description="unique; the idempotency key")
    occurred_at: UtcDatetime = Field(description="RFC 3339 with an offset or Z; stored as UTC")
    customer_id: Identifier


class Login(EventBase):
    type: Literal["login"]
    device_id: Identifier
    ip: Annotated[str, Field(min_length=2, max_length=64)]
    country: Country
    success: bool
    user_agent: str | None = None


class Deposit(EventBase):
    type: Literal["deposit"]
    asset: Asset
    network: Network
    amount: DecimalString
    amount_usd: DecimalString
    to_address: Address = Field(description="the customer's deposit address")
    from_address: Address | None = None
    tx_hash: str | None = None
    memo: str | None = None
    channel: Literal["crypto", "fiat", "card"] = "crypto"


class Withdrawal(EventBase):
    type: Literal["withdrawal"]
    asset: Asset
    network: Network
    amount: DecimalString
    amount_usd: DecimalString
    to_address: Address
    memo: str | None = None
    device_id: Identifier | None = None
    ip: str | None = None


class Transfer(EventBase):
    type: Literal["transfer"]
    counterparty_id: Identifier = Field(description="the receiving customer")
    asset: Asset
    amount: DecimalString
    amount_usd: DecimalString


class Trade(EventBase):
    type: Literal["trade"]
    side: Literal["buy", "sell"]
    base_asset: Asset
    quote_asset: Asset
    amount: DecimalString = Field(description="in the base asset")
    amount_usd: DecimalString
    price: DecimalString | None = None


class AddressBookChange(EventBase):
    type: Literal["address_book_change"]
    action: Literal["add", "remove"]
    address: Address
    network: Network
    label: str | None = None
    device_id: Identifier | None = None
    ip: str | None = None


class ProfileChange(EventBase):
    type: Literal["profile_change"]
    field: Literal["email", "phone", "password", "2fa", "api_key", "withdrawal_whitelist"]
    device_id: Identifier | None = None
    ip: str | None = None


class KycSubmission(EventBase):
    type: Literal["kyc_submission"]
    full_name: Annotated[str, Field(min_length=1, max_length=256)]
    date_of_birth: date
    nationality: Country
    document_type: Literal["passport", "id_card", "driving_licence"]
    document_number: Annotated[str, Field(min_length=1, max_length=64)]
    document_country: Country
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    phone: Phone
    address: str | None = None
    device_id: Identifier | None = None
    ip: str | None = None
    mrz: str | None = Field(None, description="machine-readable zone, lines joined by \\n")
    # Optional, additive: the outcome of a Warden verification session (POST /v1/kyc/sessions) for this submission
    kyc_session_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    kyc_outcome: Literal["approve", "review", "reject"] | None = None
    kyc_reasons: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=64)] | None = None


AnyEvent = Login | Deposit | Withdrawal | Transfer | Trade | AddressBookChange | ProfileChange | KycSubmission
Event = Annotated[AnyEvent, Field(discriminator="type")]

EVENT_TYPES: dict[str, type[EventBase]] = {
    "login": Login,
    "deposit": Deposit,
    "withdrawal": Withdrawal,
    "transfer": Transfer,
    "trade": Trade,
    "address_book_change": AddressBookChange,
    "profile_change": ProfileChange,
    "kyc_submission": KycSubmission,
}

EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(Event)

LABELS = (
    "normal",
    "fraud",
    "laundering",
    "scam_victim",
    "mule",
    "synthetic_identity",
    "hack_proceeds",
    "mistaken_deposit",
    "sanctioned",
)
LABEL_ENTITY_TYPES = ("customer", "event", "address")
