"""Every arrow between Warden's modules is a visible import: no module is imported by a name built at run time."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "warden"
BY_NAME = re.compile(r"\bimportlib\.import_module\(|\b__import__\(")


def test_no_module_imports_another_by_name() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if BY_NAME.search(line)
    ]
    assert offenders == []
