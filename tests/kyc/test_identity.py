"""Entity resolution over KYC submissions: normal forms, evidence, rings, and the `warden kyc rings` CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.kyc.population import population, write_events, write_labels
from typer.testing import CliRunner

from warden.cli import app
from warden.events.labels import read_labels
from warden.events.models import EVENT_ADAPTER, KycSubmission
from warden.kyc.identity import normalise as norm
from warden.kyc.identity.evaluate import evaluate_rings
from warden.kyc.identity.evidence import dob_near, name_derived, name_near
from warden.kyc.identity.graph import build_graph
from warden.kyc.identity.records import from_submission, load_submissions


def test_email_variants_share_a_mailbox() -> None:
    assert norm.email_parts("J.Doe+exchange@Gmail.com") == ("j.doe+exchange@gmail.com", "jdoe", "jdoe")
    assert norm.email_parts("cryptoaish15.0@x.ae")[1:] == ("cryptoaish150", "cryptoaish")


def test_one_edit_apart_share_a_deletion_key() -> None:
    for a, b in [("ZK1234567", "ZK1243567"), ("ZK1234567", "ZK1234568"), ("ZK1234567", "ZK123456")]:
        assert set(norm.deletion_keys(a)) & set(norm.deletion_keys(b))
    assert not set(norm.deletion_keys("AB123456")) & set(norm.deletion_keys("CD654321"))


def test_ip_networks_and_names() -> None:
    assert norm.ip_prefix("203.0.113.77") == "203.0.113.0/24"
    assert norm.ip_prefix("2001:db8:1:2::1") == "2001:db8:1::/48"
    assert norm.ip_prefix("not an ip") is None
    assert norm.name_tokens("Jörg Müller-Lüdenscheidt") == ("jorg", "muller", "ludenscheidt")
    assert norm.name_tokens("Дмитрий Волков") == ("dmitriy", "volkov")


def test_birth_dates_near_and_names_near() -> None:
    assert dob_near(date(1993, 12, 19), date(1993, 12, 21))
    assert dob_near(date(1993, 12, 19), date(1992, 12, 19))
    assert dob_near(date(1990, 3, 4), date(1990, 4, 3))  # day and month swapped
    assert not dob_near(date(1993, 12, 19), date(1993, 11, 19))
    assert name_near(("jorge", "hector", "peez", "pena"), ("jorge", "hector", "perez", "pena"))
    assert name_near(("hwang", "sung", "min"), ("sung", "min", "hwang"))
    assert not name_near(("hugo", "laurent"), ("remi", "laurent"))  # a shared surname is a family, not a person


def test_mailbox_spelt_from_the_name() -> None:
    assert name_derived("jorgepena75", ("jorge", "hector", "perez", "pena"))
    assert name_derived("fbauer", ("florian", "bauer"))
    assert name_derived("braunnik60", ("niklas", "braun"))
    assert not name_derived("cryptoaish150", ("aisha", "hassan", "al", "qahtani"))


def test_rings_found_and_lookalikes_left_alone() -> None:
    rows, truth = population()
    records = [from_submission(EVENT_ADAPTER.validate_python(r)) for r in rows]  # type: ignore[arg-type]
    graph = build_graph(records)
    rings = {frozenset(r.customers) for r in graph.rings}
    for scenario in ("ring-a", "ring-b", "ring-c"):
        assert frozenset(c for c, s in truth.items() if s == scenario) in rings, scenario
    assert len(graph.rings) == 3  # no household, no namesakes
    ring_b = next(r for r in graph.rings if "cu_000004" in r.customers)
    assert {"email", "document"} <= set(ring_b.shared)
    assert all(link.bits >= graph.threshold_bits for link in graph.links)
    assert {c for c, _ in graph.neighbours("cu_000000")} <= {"cu_000001", "cu_000002", "cu_000003"}
    edges = graph.edges()
    assert len(edges) == len(graph.links) and all("device" in fam for a, _, _, fam in edges if a == "cu_000000")


def test_a_value_on_many_customers_is_a_hub_not_a_ring() -> None:
    rows, _ = population()
    for r in rows[100:160]:
        r["device_id"] = "dv_farm"
    records = [from_submission(EVENT_ADAPTER.validate_python(r)) for r in rows]  # type: ignore[arg-type]
    graph = build_graph(records, hub_size=50)
    assert {"attribute": "device", "value": "dv_farm", "customers": 60} in graph.hubs


def test_figures_against_labels(tmp_path: Path) -> None:
    rows, truth = population()
    records = [from_submission(EVENT_ADAPTER.validate_python(r)) for r in rows]  # type: ignore[arg-type]
    labels = read_labels(write_labels(tmp_path / "labels.csv", truth)).labels
    figures = evaluate_rings(build_graph(records), labels)
    assert figures["customer_recall"] == 1.0 and figures["customer_precision"] == 1.0
    assert figures["ring_recall"] == 1.0 and figures["ring_precision"] == 1.0


def test_cli_prints_rings_figures_and_bad_lines(tmp_path: Path) -> None:
    rows, truth = population()
    bad = dict(rows[0], event_id="ev_bad", date_of_birth="1990-13-40")
    other = {"event_id": "ev_login", "type": "login", "occurred_at": "2025-01-01T00:00:00Z", "customer_id": "cu_x"}
    events = write_events(tmp_path / "events.jsonl", rows, [json.dumps(bad), json.dumps(other)])
    labels = write_labels(tmp_path / "labels.csv", truth)
    result = CliRunner().invoke(app, ["kyc", "rings", "--events", str(events), "--labels", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    assert f"{events}:{len(rows) + 1}: " in result.stderr
    payload = json.loads(result.stdout)
    assert payload["rejected"] == 1 and payload["submissions"] == len(rows)
    assert payload["figures"]["ring_recall"] == 1.0
    assert all(ring["reasons"] and ring["links"] for ring in payload["rings"])


def test_load_submissions_reads_only_kyc(tmp_path: Path) -> None:
    rows, _ = population(n=40)
    loaded = load_submissions(write_events(tmp_path / "e.jsonl", rows))
    assert len(loaded.records) == 40 and not loaded.errors
    assert isinstance(EVENT_ADAPTER.validate_python(rows[0]), KycSubmission)


def test_a_face_on_two_accounts_links_them_with_one_more_agreement() -> None:
    from warden.kyc.identity.graph import attach_faces

    rows, _ = population()
    # Two unrelated-looking customers: the same face (embeddings 0.1 apart) and birth dates a day apart.
    rows[50]["date_of_birth"], rows[51]["date_of_birth"] = "1985-02-10", "1985-02-11"
    rows[60]["date_of_birth"] = "1985-07-01"
    face = [0.05] * 128
    near = [0.05] * 127 + [0.15]
    records = [from_submission(EVENT_ADAPTER.validate_python(r)) for r in rows]  # type: ignore[arg-type]
    faces = {"cu_000050": face, "cu_000051": near, "cu_000060": near}
    # A matcher with FMR 1 % at its threshold: a face agreement weighs log2(0.9 / 0.01) = 6.5 bits, below
    # log2(300) = 8.2, so the face alone does not pull cu_000060 in.
    graph = build_graph(attach_faces(records, faces), face_fmr=0.01)
    ring = next(r for r in graph.rings if "cu_000050" in r.customers)
    assert set(ring.customers) == {"cu_000050", "cu_000051"}
    # With FMR 0.1 % (9.8 bits) the same face on two accounts of 300 is enough on its own.
    strict = build_graph(attach_faces(records, faces), face_fmr=0.001)
    assert {"cu_000050", "cu_000051", "cu_000060"} <= {c for r in strict.rings for c in r.customers}
    assert "face" in ring.shared and "date_of_birth" in ring.shared


def test_cli_reads_face_embeddings(tmp_path: Path) -> None:
    import numpy as np

    rows, _ = population()
    rows[50]["date_of_birth"], rows[51]["date_of_birth"] = "1985-02-10", "1985-02-11"
    events = write_events(tmp_path / "events.jsonl", rows)
    faces = tmp_path / "faces.npz"
    np.savez(faces, customer_ids=np.array(["cu_000050", "cu_000051"]), embeddings=np.full((2, 128), 0.05))
    result = CliRunner().invoke(app, ["kyc", "rings", "--events", str(events), "--faces", str(faces), "--json"])
    assert result.exit_code == 0, result.output
    ring = next(r for r in json.loads(result.stdout)["rings"] if "cu_000050" in r["customers"])
    assert "face" in ring["shared_attributes"]
    bad = tmp_path / "bad.npz"
    np.savez(bad, customer_ids=np.array(["a"]), embeddings=np.zeros((1, 3)))
    result = CliRunner().invoke(app, ["kyc", "rings", "--events", str(events), "--faces", str(bad)])
    assert result.exit_code == 2 and "1 x 128" in result.stderr


def test_name_and_birth_date_alone_make_a_possible_duplicate_not_a_ring() -> None:
    rows, _ = population()
    rows[70]["full_name"], rows[71]["full_name"] = "Quentin Zabrowski", "Quentin Zabrowski"
    rows[70]["date_of_birth"], rows[71]["date_of_birth"] = "1979-09-09", "1979-09-09"
    records = [from_submission(EVENT_ADAPTER.validate_python(r)) for r in rows]  # type: ignore[arg-type]
    graph = build_graph(records)
    assert not any("cu_000070" in r.customers for r in graph.rings)
    dup = next(lk for lk in graph.possible_duplicates if lk.a == "cu_000070")
    assert dup.b == "cu_000071" and {g.family for g in dup.agreements} == {"name", "date_of_birth"}


def _linked(rows: list[dict[str, object]], a: int, b: int) -> bool:
    records = [from_submission(EVENT_ADAPTER.validate_python(r)) for r in rows]  # type: ignore[arg-type]
    pair = {rows[a]["customer_id"], rows[b]["customer_id"]}
    return any({link.a, link.b} == pair for link in build_graph(records).links)


def test_namesakes_in_another_script_with_name_spelt_mailboxes_are_not_linked() -> None:
    """Two 田中陽翔 (read 'tian zhong yang xiang' by the transliteration) with haruto.tanaka mailboxes: the
    mailbox follows from the name even where the spelling cannot show it."""
    rows, _ = population()
    for i, mail in ((40, "haruto.tanaka80@qq.com"), (41, "harutotanaka@gmail.com")):
        rows[i]["full_name"], rows[i]["email"] = "田中陽翔", mail
    assert not _linked(rows, 40, 41)
    rows[41]["email"] = rows[40]["email"]  # the very same address on two accounts still counts on its own
    rows[41]["document_number"] = rows[40]["document_number"]
    assert _linked(rows, 40, 41)


def test_a_household_sharing_its_family_computer_is_not_linked_without_person_evidence() -> None:
    rows, _ = population()
    for i in (42, 43):
        rows[i]["device_id"], rows[i]["address"], rows[i]["ip"] = "dv_family", "7 elm row", "198.51.100.77"
    assert not _linked(rows, 42, 43)
    rows[43]["phone"] = rows[42]["phone"]  # a person agreement beyond the household: linked
    rows[43]["date_of_birth"] = rows[42]["date_of_birth"]
    assert _linked(rows, 42, 43)
