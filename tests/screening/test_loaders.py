"""Every loader on the real shipped files, and clear positioned errors for malformed ones."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from warden.screening.defaults import DATA_DIR
from warden.screening.errors import ListFormatError
from warden.screening.loaders.detect import load_path
from warden.screening.loaders.internal import load_allowlist


def test_ofac_2024_primary_file_with_remarks() -> None:
    snap = load_path(DATA_DIR / "ofac-2024-05-03")
    assert snap.list_name == "ofac-sdn" and snap.version_date == "2024-05-03"
    assert snap.counts["entries"] == 14965
    by_id = {e.id: e for e in snap.entries}
    zawahiri = by_id["2676"]
    assert zawahiri.kind == "person" and zawahiri.name == "Dr. Ayman AL ZAWAHIRI"
    assert 1951 in zawahiri.birth_years
    yan = by_id["25308"]  # aliases and addresses come from the Remarks column
    assert "William ZHOU" in [a.name for a in yan.aliases]
    assert "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h" in yan.addresses
    assert by_id["4243"].kind == "vessel"
    assert "ANA I" in [a.name for a in by_id["4243"].aliases]


def test_ofac_quartet_joins_aliases_and_addresses() -> None:
    snap = load_path(DATA_DIR / "ofac-2021-07-with-aliases")
    assert snap.counts["entries"] == 8976
    cuba = {e.id: e for e in snap.entries}["306"]
    assert "NATIONAL BANK OF CUBA" in [a.name for a in cuba.aliases]
    assert "Switzerland" in cuba.countries


def test_un_xml_entries_aliases_original_script() -> None:
    snap = load_path(DATA_DIR / "un-2026-02-27" / "UN_consolidated.xml.gz")
    assert snap.version_date == "2026-02-27"
    assert snap.counts["entries"] == 730 + 273
    saddam = {e.id: e for e in snap.entries}["IQi.001"]
    kinds = {a.kind for a in saddam.aliases}
    assert "original-script" in kinds
    assert saddam.kind == "person"


def test_crypto_and_labels() -> None:
    crypto = load_path(DATA_DIR / "crypto-addresses-2024-09-27")
    assert crypto.counts["addresses"] == 654
    assert {r.asset for r in crypto.addresses} >= {"XBT", "ETH", "USDT", "TRX", "XMR"}
    labels = load_path(DATA_DIR / "address-labels")
    categories = {r.category for r in labels.addresses}
    assert {"phishing", "exploit", "heist"} <= categories


def test_ftm_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "entities.ftm.json"
    lines = [
        {
            "id": "NK-1",
            "schema": "Person",
            "properties": {"name": ["Kim Example"], "alias": ["K. Example"], "birthDate": ["1980-02-03"]},
        },
        {"id": "w-1", "schema": "CryptoWallet", "properties": {"publicKey": ["0x" + "ab" * 20], "currency": ["ETH"]}},
        {"id": "s-1", "schema": "Sanction", "properties": {}},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines))
    snap = load_path(path)
    assert [e.id for e in snap.entries] == ["NK-1"] and snap.entries[0].birth_years == (1980,)
    assert snap.addresses[0].asset == "ETH"


def test_internal_csv_and_allowlist(tmp_path: Path) -> None:
    watch = tmp_path / "watch.csv"
    watch.write_text(
        "id,name,kind,program,dob,country,aliases,address\nW1,Jane Roe,person,INTERNAL,1990,France,J. Roe;Janet Roe,bc1qexample000000000000000000000\n"
    )
    snap = load_path(watch)
    assert snap.list_name == "internal:watch" and len(snap.entries[0].aliases) == 3
    allow = tmp_path / "allow.csv"
    allow.write_text("customer_id,entry_id,reason\nc-1,306,different person: born 1990\n")
    assert load_allowlist(allow)[0].entry_id == "306"


@pytest.mark.parametrize(
    ("name", "content", "position"),
    [
        (
            "sdn.csv",
            '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n37,"BROKEN",-0-\n',
            ":2:",
        ),
        ("sdn.csv", 'x36,"A",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', ":1:"),
        ("UN.xml", "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><FIRST_NAME>A</INDIVIDUAL>", ":3:"),
        (
            "UN2.xml",
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
            "INDIVIDUAL[1]/REFERENCE_NUMBER",
        ),
        ("sanctioned_addresses_ETH.json", '["0x' + "ab" * 20 + '", 7]', ":$[1]:"),
        ("sanctioned_addresses_XBT.txt", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\nnot an address\n", ":2:"),
        (
            "phishing_scams.csv",
            "address,etherscan_tag,etherscan_labels,is_contract\n0x12,Fake,phish-hack,False\n",
            ":2:",
        ),
        ("x.ftm.json", '{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{"id": \n', ":2:"),
        ("watch.csv", "id,name,kind\nW1,Jane,robot\n", ":2:"),
    ],
)
def test_malformed_files_name_the_position(tmp_path: Path, name: str, content: str, position: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ListFormatError) as caught:
        load_path(path)
    assert str(path) in str(caught.value) and position in str(caught.value)


def test_gzip_garbage_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ListFormatError, match="gzip"):
        load_path(path)
    good = tmp_path / "ok" / "sdn.csv.gz"
    good.parent.mkdir()
    good.write_bytes(gzip.compress(b'1,"A B",individual,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'))
    assert load_path(good).entries[0].name == "A B"


def test_ofac_advanced_xml(tmp_path: Path) -> None:
    sample = Path(__file__).parent / "data" / "sdn_advanced_sample.xml"
    snap = load_path(sample)
    assert snap.list_name == "ofac-sdn" and snap.version_date == "2024-09-27"
    airline, yan = snap.entries
    assert airline.id == "36" and airline.kind == "entity" and airline.programs == ("CUBA",)
    assert [a.name for a in airline.aliases] == ["AEROCARIBBEAN AIRLINES", "AERO-CARIBBEAN"]
    assert yan.kind == "person" and yan.name == "YAN Xiaobing" and yan.birth_years == (1977,)
    assert yan.aliases[1].kind == "weak" and yan.addresses == ("12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",)
    assert snap.addresses[0].asset == "XBT"
    broken = tmp_path / "sdn_advanced.xml"
    broken.write_text(sample.read_text().replace('<DistinctParty FixedRef="36">', "<DistinctParty>"))
    with pytest.raises(ListFormatError, match=r"DistinctParty\[1\]"):
        load_path(broken)
