"""The one SQLAlchemy MetaData that every stage's `tables.py` defines its tables on.

Each stage owns its tables (`<stage>/tables.py`) and its queries (`<stage>/repository.py`); the schema itself is
made only by the one linear Alembic chain in `store/migrations/`.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
