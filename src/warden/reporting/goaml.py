"""A suspicious-transaction report as goAML XML, and a FinCEN-SAR-shaped JSON record.

goAML is UNODC's reporting system used by many financial-intelligence units. Its XML schema (XSD) is handed
to reporting entities by each FIU and is not published on a package registry, so Warden does not ship it.
Instead `validate_goaml` checks the structure of what `goaml_xml` emits against `GOAML_STRUCTURE`: the goAML
report elements Warden uses, in the schema's order, with their required children and value formats (dates,
amounts, codes). An FIU's own XSD can be used on top with any XSD validator (e.g. `xmllint --schema`).

The FinCEN record follows the parts of the FinCEN SAR (subject, suspicious activity, narrative, filer); it is
the data for an e-filing batch, not the BSA XML batch format itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from warden.reporting.sar import ReportContent

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

# element -> (required children in order, optional children); leaves are checked by _LEAF_FORMATS.
GOAML_STRUCTURE: dict[str, tuple[list[str], list[str]]] = {
    "report": (
        ["rentity_id", "submission_code", "report_code", "entity_reference", "submission_date",
         "currency_code_local", "reporting_person", "reason", "action", "transaction", "report_indicators"],
        [],
    ),
    "reporting_person": (["first_name", "last_name"], ["email"]),
    "transaction": (
        ["transactionnumber", "internal_ref_number", "transaction_description", "date_transaction",
         "transmode_code", "amount_local"],
        ["t_from_my_client", "t_from", "t_to_my_client", "t_to", "comments"],
    ),
    "t_from_my_client": (["from_funds_code"], ["from_person", "from_account", "from_country"]),
    "t_from": (["from_funds_code"], ["from_account", "from_country"]),
    "t_to_my_client": (["to_funds_code"], ["to_person", "to_account", "to_country"]),
    "t_to": (["to_funds_code"], ["to_account", "to_country"]),
    "from_person": (["first_name", "last_name"], ["birthdate", "nationality1", "email", "id_number"]),
    "to_person": (["first_name", "last_name"], ["birthdate", "nationality1", "email", "id_number"]),
    "from_account": (["account"], ["institution_name"]),
    "to_account": (["account"], ["institution_name"]),
    "report_indicators": (["indicator"], []),
}  # fmt: skip
_REPEATABLE = {"transaction", "indicator"}
_LEAF_FORMATS = {
    "submission_date": "date",
    "date_transaction": "date",
    "birthdate": "date",
    "amount_local": "amount",
    "submission_code": "code:E,M",
    "report_code": "code:STR,SAR,CTR,AIF",
    "from_country": "country",
    "to_country": "country",
    "nationality1": "country",
    "currency_code_local": "currency",
}
_TRANSMODE = {"deposit": "K", "withdrawal": "K", "transfer": "A"}  # K: virtual asset; A: internal transfer


def _date(iso: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%S")


def _leaf(parent: ET.Element, name: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, name)
    node.text = text
    return node


def _person(parent: ET.Element, tag: str, subject: dict[str, Any]) -> None:
    person = ET.SubElement(parent, tag)
    names = str(subject.get("full_name") or subject.get("customer_id") or "unknown").split()
    _leaf(person, "first_name", " ".join(names[:-1]) or names[0])
    _leaf(person, "last_name", names[-1])
    if subject.get("date_of_birth"):
        _leaf(person, "birthdate", f"{subject['date_of_birth']}T00:00:00")
    if subject.get("nationality"):
        _leaf(person, "nationality1", subject["nationality"])
    if subject.get("email"):
        _leaf(person, "email", subject["email"])
    if subject.get("document_number"):
        _leaf(person, "id_number", subject["document_number"])


def goaml_xml(report: ReportContent, rentity_id: str, submitted_at: datetime) -> bytes:
    """The report as goAML XML (submission code E: electronic; report code STR)."""
    root = ET.Element("report")
    _leaf(root, "rentity_id", rentity_id)
    _leaf(root, "submission_code", "E")
    _leaf(root, "report_code", "STR")
    _leaf(root, "entity_reference", report.reference)
    _leaf(root, "submission_date", submitted_at.strftime("%Y-%m-%dT%H:%M:%S"))
    _leaf(root, "currency_code_local", "USD")
    person = ET.SubElement(root, "reporting_person")
    _leaf(person, "first_name", report.reviewer or "unknown")
    _leaf(person, "last_name", f"(approved by {report.approver})" if report.approver else "(reviewer)")
    _leaf(root, "reason", report.narrative)
    _leaf(root, "action", f"case {report.case_id} closed as true positive; typologies: {', '.join(report.typologies)}")
    subject = report.subject
    for t in report.transactions:
        tx = ET.SubElement(root, "transaction")
        _leaf(tx, "transactionnumber", t.tx_hash or t.event_id)
        _leaf(tx, "internal_ref_number", t.event_id)
        _leaf(tx, "transaction_description", f"{t.type} of {t.amount} {t.asset} on {t.network or 'the exchange'}")
        _leaf(tx, "date_transaction", _date(t.occurred_at))
        _leaf(tx, "transmode_code", _TRANSMODE.get(t.type, "K"))
        _leaf(tx, "amount_local", t.amount_usd)
        ours = f"customer:{subject.get('customer_id')}"
        for side, party in (("from", t.from_party), ("to", t.to_party)):
            mine = party == ours
            node = ET.SubElement(tx, f"t_{side}_my_client" if mine else f"t_{side}")
            _leaf(node, f"{side}_funds_code", "K")
            if mine:
                _person(node, f"{side}_person", subject)
            else:
                account = ET.SubElement(node, f"{side}_account")
                _leaf(account, "account", party)
    indicators = ET.SubElement(root, "report_indicators")
    for typology in report.typologies or ["unspecified"]:
        _leaf(indicators, "indicator", typology)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _check_leaf(name: str, text: str, path: str) -> list[str]:
    kind = _LEAF_FORMATS.get(name)
    problems = []
    if not text.strip():
        problems.append(f"{path}: empty")
    elif kind == "date" and not _DATE.match(text):
        problems.append(f"{path}: {text!r} is not a date-time YYYY-MM-DDThh:mm:ss")
    elif kind == "amount":
        try:
            if Decimal(text) < 0:
                problems.append(f"{path}: negative amount")
        except InvalidOperation:
            problems.append(f"{path}: {text!r} is not a decimal amount")
    elif kind and kind.startswith("code:") and text not in kind[5:].split(","):
        problems.append(f"{path}: {text!r} is not one of {kind[5:]}")
    elif kind in ("country", "currency") and not re.match(r"^[A-Z]{2,3}$", text):
        problems.append(f"{path}: {text!r} is not an ISO code")
    return problems


def _check(node: ET.Element, path: str) -> list[str]:
    spec = GOAML_STRUCTURE.get(node.tag)
    if spec is None:
        return _check_leaf(node.tag, node.text or "", path)
    required, optional = spec
    problems: list[str] = []
    names = [child.tag for child in node]
    for name in names:
        if name not in required and name not in optional:
            problems.append(f"{path}: unexpected element <{name}>")
    for name in required:
        if name not in names:
            problems.append(f"{path}: missing <{name}>")
    order = [n for n in required + optional if n in names]
    seen = [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]
    if [n for n in seen if n in order] != [n for n in order if n in seen]:
        problems.append(f"{path}: children out of order: {', '.join(seen)}")
    for name in set(names):
        if names.count(name) > 1 and name not in _REPEATABLE:
            problems.append(f"{path}: <{name}> appears {names.count(name)} times")
    sides = ({"t_from_my_client", "t_from"} & set(names), {"t_to_my_client", "t_to"} & set(names))
    if node.tag == "transaction" and not all(sides):
        problems.append(f"{path}: a transaction needs a from side and a to side")
    for i, child in enumerate(node):
        problems.extend(_check(child, f"{path}/{child.tag}[{i + 1}]"))
    return problems


def validate_goaml(xml: bytes) -> list[str]:
    """The structural problems of a goAML report, each with its element path; empty when it checks."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "report":
        return [f"/{root.tag}: the root element must be <report>"]
    return _check(root, "/report")


def fincen_sar(report: ReportContent, filer: str) -> dict[str, Any]:
    """The report as a FinCEN-SAR-shaped record (Parts I subject, II activity, IV filer, V narrative)."""
    subject = report.subject
    names = str(subject.get("full_name") or "").split()
    times = [t.occurred_at for t in report.transactions]
    return {
        "form": "FinCEN SAR",
        "filing_type": "initial",
        "reference": report.reference,
        "part_i_subject": {
            "last_name": names[-1] if names else "",
            "first_name": " ".join(names[:-1]),
            "date_of_birth": subject.get("date_of_birth"),
            "identification": {
                "type": subject.get("document_type"),
                "number": subject.get("document_number"),
                "issuing_country": subject.get("document_country"),
            },
            "email": subject.get("email"),
            "phone": subject.get("phone"),
            "customer_id": subject.get("customer_id"),
        },
        "part_ii_activity": {
            "date_range": {"from": min(times) if times else None, "to": max(times) if times else None},
            "total_amount_usd": report.total_usd,
            "categories": report.typologies,
            "instruments": sorted({t.asset for t in report.transactions if t.asset}),
            "transactions": [
                {
                    "id": t.event_id,
                    "type": t.type,
                    "at": t.occurred_at,
                    "amount": t.amount,
                    "asset": t.asset,
                    "amount_usd": t.amount_usd,
                    "from": t.from_party,
                    "to": t.to_party,
                    "tx_hash": t.tx_hash or None,
                }
                for t in report.transactions
            ],
        },
        "part_iv_filer": {"filer": filer, "prepared_by": report.reviewer, "approved_by": report.approver},
        "part_v_narrative": report.narrative,
        "case_id": report.case_id,
        "detected_at": report.detected_at,
    }
