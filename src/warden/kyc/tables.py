"""Tables of identity-verification sessions and their uploads, on the store's shared MetaData.

The schema is created by the Alembic revisions `0009_kyc`, `0015_kyc_review` (reviews, session kinds) and
`0016_kyc_finish` (faces for the 1:N search, decision configurations). Images themselves are files under the data
directory (warden.kyc.storage); the table holds their path, digest and when they must be deleted.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

kyc_sessions = sa.Table(
    "kyc_sessions",
    metadata,
    sa.Column("session_id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False, index=True),
    sa.Column("state", sa.String(16), nullable=False, doc="open, decided, reviewed"),
    sa.Column(
        "kind", sa.String(16), nullable=False, server_default="onboarding", doc="onboarding, or step_up (a new selfie)"
    ),
    sa.Column("hold_ref", sa.String(128), nullable=True, doc="step_up: the held event it releases when passed"),
    sa.Column("declared", sa.Text, nullable=False, doc="JSON: the customer's declared identity"),
    sa.Column("challenge", sa.Text, nullable=False, doc="JSON: liveness challenge with the server nonce"),
    sa.Column("nonce", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=True, doc="approve, review, reject"),
    sa.Column("reasons", sa.Text, nullable=True, doc="JSON list of reason codes"),
    sa.Column("result", sa.Text, nullable=True, doc="JSON: evidence and versions of the decision"),
    sa.Column("case_id", sa.String(40), nullable=True, doc="the review case, when routed to review"),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
)

kyc_uploads = sa.Table(
    "kyc_uploads",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("kyc_sessions.session_id"), primary_key=True),
    sa.Column("part", sa.String(24), primary_key=True, doc="document_front, document_back, liveness"),
    sa.Column("path", sa.Text, nullable=True, doc="relative to the data dir; null once purged"),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content_type", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("purge_after", sa.DateTime(timezone=True), nullable=False),
)

kyc_reviews = sa.Table(
    "kyc_reviews",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("kyc_sessions.session_id"), primary_key=True),
    sa.Column("reviewer", sa.String(64), nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False, doc="approve or reject: the label for the next version"),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("machine_outcome", sa.String(16), nullable=False, doc="what the checks decided"),
    sa.Column("machine_reasons", sa.Text, nullable=False, doc="JSON list: the reasons the checks gave"),
    sa.Column("versions", sa.Text, nullable=False, doc="JSON: the check and model versions that were reviewed"),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
)

kyc_faces = sa.Table(
    "kyc_faces",
    metadata,
    sa.Column("session_id", sa.String(40), sa.ForeignKey("kyc_sessions.session_id"), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False, index=True),
    sa.Column("embedding", sa.LargeBinary, nullable=False, doc="128 float32, the live selfie that matched"),
    sa.Column("model_version", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column(
        "verified_at", sa.DateTime(timezone=True), nullable=True, index=True,
        doc="when the session was approved (by the checks or a reviewer); only verified faces are searched",
    ),
)  # fmt: skip

kyc_decision_configs = sa.Table(
    "kyc_decision_configs",
    metadata,
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("config", sa.Text, nullable=False, doc="JSON: the thresholds"),
    sa.Column("diff", sa.Text, nullable=False, doc="JSON: what changed from the configuration it was refitted on"),
    sa.Column("basis", sa.Text, nullable=False, doc="JSON: the labels it learned from, per threshold"),
)
