"""Column types shared by the stages' tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class ExactDecimal(sa.types.TypeDecorator[Decimal]):
    """An amount kept exactly: PostgreSQL NUMERIC without a fixed scale, SQLite TEXT.

    SQLite has no decimal type: a NUMERIC column turns "2500.10" into the REAL 2500.1 and a 40-digit amount into
    a rounded float, so SQLite keeps the decimal text itself (migration 0008). SQL sums still work (SQLite reads
    the text as a number); values come back as `Decimal`. The bounds that keep amounts sane are checked at the
    boundary (events/bounds.py), not by the column.
    """

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        return format(exact, "f") if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))
