"""The next version of the KYC decision thresholds, refitted from reviewers' verdicts (`reviews.review_labels`).

What it can learn, and from what. A reviewer sees only the sessions the checks sent to review, so the labels
say which alarms were false (a session approved by a person) and which were right (rejected), for the scored
signals that sent sessions there: the document tamper signals. One rule per signal, and only upwards:

- it needs MIN_LABELS sessions on which the signal fired, MIN_OVERTURNED of them approved by a reviewer;
- the new threshold is just above the highest score a reviewer approved, but never above the lowest score a
  reviewer rejected (every upheld alarm still fires) and never more than MAX_STEP times the old one;
- otherwise the threshold is kept, and the basis says why.

What it cannot learn: attacks the checks approved never reach a reviewer, so nothing here can lower a
threshold; a face found different is rejected outright, so face-match labels do not exist and its threshold
stays (calibrate it on consented pairs, docs/kyc-faces.md).

A refit is shown with its diff; `record_config` stores it as a new version (audited, by a named person), and
the sessions decided after that use it (`active_thresholds`, the version is in each decision's versions).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.kyc import tamper
from warden.kyc.tables import kyc_decision_configs, kyc_reviews, kyc_sessions

BASE_VERSION = "kyc-decision-config-0"  # the thresholds shipped in tamper.THRESHOLDS
MIN_LABELS = 20
MIN_OVERTURNED = 5
MAX_STEP = 1.5
REFITTED = tuple(tamper.THRESHOLDS)  # the scored signals a reviewer sees fire


def active_config(conn: sa.Connection) -> dict[str, Any]:
    """The latest recorded configuration, or the shipped one: {version, thresholds}."""
    row = conn.execute(
        sa.select(kyc_decision_configs).order_by(kyc_decision_configs.c.created_at.desc()).limit(1)
    ).first()
    if row is None:
        return {"version": BASE_VERSION, "thresholds": dict(tamper.THRESHOLDS)}
    return {"version": row.version, "thresholds": json.loads(row.config)["thresholds"]}


def active_thresholds(conn: sa.Connection) -> tuple[str, dict[str, float]]:
    config = active_config(conn)
    return str(config["version"]), {k: float(v) for k, v in config["thresholds"].items()}


def _labelled_scores(conn: sa.Connection) -> dict[str, list[tuple[float, str]]]:
    """Per signal: (the highest score on the session's pages, the verdict) for every labelled session on which
    the signal fired."""
    rows = conn.execute(
        sa.select(kyc_reviews.c.verdict, kyc_sessions.c.result).join(
            kyc_sessions, kyc_sessions.c.session_id == kyc_reviews.c.session_id
        )
    )
    out: dict[str, list[tuple[float, str]]] = {code: [] for code in REFITTED}
    for verdict, result in rows:
        document = (json.loads(result or "{}").get("evidence") or {}).get("document") or {}
        fired: dict[str, float] = {}
        for signals in (document.get("signals") or {}).values():
            for s in signals:
                if s.get("fired") and s.get("code") in out:
                    fired[s["code"]] = max(fired.get(s["code"], -math.inf), float(s["score"]))
        for code, score in fired.items():
            out[code].append((score, verdict))
    return out


def _above(value: float) -> float:
    """The smallest round number above a score (scores of cluster signals are counts)."""
    return float(math.floor(value) + 1) if value >= 1 else round(value + 0.01, 2)


def refit(conn: sa.Connection) -> dict[str, Any]:
    """The refitted configuration, its diff from the active one and what each threshold learned from."""
    version, current = active_thresholds(conn)
    labelled = _labelled_scores(conn)
    thresholds = dict(current)
    diff: dict[str, dict[str, float]] = {}
    basis: dict[str, dict[str, Any]] = {}
    for code in REFITTED:
        rows = labelled[code]
        approved = [s for s, v in rows if v == "approve"]
        rejected = [s for s, v in rows if v == "reject"]
        entry: dict[str, Any] = {"labels": len(rows), "overturned": len(approved), "upheld": len(rejected)}
        old = current[code]
        if len(rows) < MIN_LABELS or len(approved) < MIN_OVERTURNED:
            entry["kept"] = (
                f"needs {MIN_LABELS} labelled sessions where it fired, {MIN_OVERTURNED} of them approved by a reviewer"
            )
        else:
            new = min(_above(max(approved)), MAX_STEP * old)
            if rejected:
                new = min(new, min(rejected))  # every alarm a reviewer upheld still fires
            if new > old:
                thresholds[code] = new
                diff[code] = {"from": old, "to": new}
                entry["passes"] = sum(s < new for s in approved)
                entry["rule"] = "above the highest approved score, at most the lowest rejected, at most x1.5"
            else:
                entry["kept"] = "a rejected score lies below the approved ones: raising it would pass an upheld alarm"
        basis[code] = entry
    basis["face_match"] = {
        "kept": "a face found different is rejected outright, so reviewers never label face scores; calibrate "
        "the threshold on consented pairs"
    }
    labels = conn.execute(sa.select(sa.func.count()).select_from(kyc_reviews)).scalar_one()
    return {
        "based_on": version,
        "labels": labels,
        "thresholds": thresholds,
        "diff": diff,
        "basis": basis,
        "cannot_learn": "attacks the checks approved never reach a reviewer: no threshold is lowered from labels",
    }


def record_config(conn: sa.Connection, fitted: dict[str, Any], *, actor: str, now: dt.datetime | None = None) -> str:
    """Store a refit as the next version (the sessions decided after it use it); audited. Its version."""
    now = now or dt.datetime.now(dt.UTC)
    count = conn.execute(sa.select(sa.func.count()).select_from(kyc_decision_configs)).scalar_one()
    version = f"kyc-decision-config-{count + 1}"
    conn.execute(
        sa.insert(kyc_decision_configs).values(
            version=version,
            created_at=now,
            created_by=actor,
            config=json.dumps({"thresholds": fitted["thresholds"], "based_on": fitted["based_on"]}, sort_keys=True),
            diff=json.dumps(fitted["diff"], sort_keys=True),
            basis=json.dumps(fitted["basis"], sort_keys=True),
        )
    )
    append_audit(
        conn,
        actor=actor,
        action="kyc.config.refit",
        subject=version,
        before={"version": fitted["based_on"]},
        after={"diff": fitted["diff"], "labels": fitted["labels"]},
    )
    return version
