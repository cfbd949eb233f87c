"""The event contract, version 1 (`shared/contracts/events.md`), as pydantic models.

Warden accepts exactly this contract: optional fields may be added here, required ones never.
Unknown extra fields are kept (`extra="allow"`) but ignored by the product.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    WithJsonSchema,
)
from pydantic.functional_serializers import PlainSerializer

from warden.events.bounds import (
    MAX_AMOUNT_CHARS,
    MAX_SCALE,
    SAFE_TEXT_PATTERN,
    UNSAFE_CHAR,
    UNSIGNED_DECIMAL,
    input_bounds,
)

CONTRACT_VERSION = 1

# The contract's decimal string `^-?\d+(\.\d+)?$`, less the sign: the contract has no negative amounts.
_UNSIGNED_PATTERN = r"^\d+(\.\d+)?$"


def _parse_decimal(value: Any) -> Decimal:
    """Amounts are decimal strings, exactly `^\\d+(\\.\\d+)?$` and within the bounds (events/bounds.py).

    The text is checked for length and shape before a `Decimal` is built: `"1e999999999"` is a cheap refusal,
    not a billion-digit number. No floats (they lose cents), no exponents, signs or spaces.
    """
    if isinstance(value, Decimal):  # Parquet decimal columns; checked like text
        value = format(value, "f")
    if not isinstance(value, str):
        raise ValueError('amounts are decimal strings such as "0.0153", not numbers')
    if len(value) > MAX_AMOUNT_CHARS:
        raise ValueError(f"amount too long ({len(value)} characters; at most {MAX_AMOUNT_CHARS})")
    if not UNSIGNED_DECIMAL.fullmatch(value):
        raise ValueError(f'not a decimal string such as "0.0153" (no sign, exponent or spaces): {value!r}')
    _, _, fraction = value.partition(".")
    if len(fraction) > MAX_SCALE:
        raise ValueError(f"at most {MAX_SCALE} digits after the point, got {len(fraction)}")
    parsed = Decimal(value)
    limit = input_bounds().max_amount
    if parsed > limit:
        raise ValueError(f"{value} is above the largest amount accepted ({format(limit, 'f')})")
    return parsed


DecimalString = Annotated[
    Decimal,
    PlainValidator(_parse_decimal),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": _UNSIGNED_PATTERN, "maxLength": MAX_AMOUNT_CHARS, "examples": ["0.0153"]}
    ),
]
NonNegativeDecimal = Annotated[DecimalString, Field()]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _time_text(value: Any) -> Any:
    """Times are RFC 3339 strings (or, from Parquet, datetimes): a number is never read as seconds since 1970."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("times are RFC 3339 strings with an offset or Z, not numbers")
    if len(value) > 64:
        raise ValueError("time too long for RFC 3339")
    return value


def _within_window(value: datetime) -> datetime:
    """Within the configured window around now; years such as 0001 and 9999 never reach UTC arithmetic."""
    bounds = input_bounds()
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("time out of range") from None
    now = datetime.now(UTC)
    if utc < now - bounds.max_age:
        raise ValueError(f"time more than {bounds.max_age.days} days before now")
    if utc > now + bounds.max_future:
        raise ValueError(f"time more than {int(bounds.max_future.total_seconds())} s after now")
    return value


UtcDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_time_text),
    AfterValidator(_within_window),
    PlainSerializer(lambda d: _utc(d).isoformat().replace("+00:00", "Z")),
]


def _date_text(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("dates are YYYY-MM-DD strings, not numbers")
    return value


def _plausible_birth(value: date) -> date:
    if not date(1900, 1, 1) <= value <= date.today():
        raise ValueError("date of birth out of range (1900-01-01 to today)")
    return value


BirthDate = Annotated[date, BeforeValidator(_date_text), AfterValidator(_plausible_birth)]


# Identifiers and addresses are shown to analysts and used as keys: no control, bidi or zero-width characters.
def _safe_text(value: str) -> str:
    unsafe = UNSAFE_CHAR.search(value)
    if unsafe is not None:
        raise ValueError(
            f"contains a control, bidirectional or zero-width character (U+{ord(unsafe.group()):04X}) "
            f"at position {unsafe.start()}"
        )
    return value


def _safe(min_length: int, max_length: int) -> Any:
    """Text of this length with no unsafe character; the JSON Schema carries the same rule as a pattern."""
    return Field(min_length=min_length, max_length=max_length, json_schema_extra={"pattern": SAFE_TEXT_PATTERN})


Identifier = Annotated[str, _safe(1, 128), AfterValidator(_safe_text)]
Asset = Annotated[str, Field(pattern=r"^[A-Z0-9]{1,16}$", description="ticker, upper case")]
Network = Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$", description="lower case: bitcoin, ethereum, ...")]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Phone = Annotated[str, Field(pattern=r"^\+[1-9]\d{1,14}$", description="E.164")]
Address = Annotated[str, _safe(1, 256), AfterValidator(_safe_text)]
Ip = Annotated[str, _safe(2, 64), AfterValidator(_safe_text)]


class EventBase(BaseModel):
    """The envelope every event carries."""

    model_config = ConfigDict(extra="allow", frozen=True, str_strip_whitespace=False)

    event_id: Identifier = Field(description="unique; the idempotency key")
    occurred_at: UtcDatetime = Field(description="RFC 3339 with an offset or Z; stored as UTC")
    customer_id: Identifier


class Login(EventBase):
    type: Literal["login"]
    device_id: Identifier
    ip: Ip
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
    tx_hash: Annotated[str, _safe(0, 256), AfterValidator(_safe_text)] | None = None
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
    ip: Ip | None = None


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
    ip: Ip | None = None


class ProfileChange(EventBase):
    type: Literal["profile_change"]
    field: Literal["email", "phone", "password", "2fa", "api_key", "withdrawal_whitelist"]
    device_id: Identifier | None = None
    ip: Ip | None = None


class KycSubmission(EventBase):
    type: Literal["kyc_submission"]
    full_name: Annotated[str, Field(min_length=1, max_length=256)]
    date_of_birth: BirthDate
    nationality: Country
    document_type: Literal["passport", "id_card", "driving_licence"]
    document_number: Annotated[str, Field(min_length=1, max_length=64)]
    document_country: Country
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    phone: Phone
    address: str | None = None
    device_id: Identifier | None = None
    ip: Ip | None = None
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
