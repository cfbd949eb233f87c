"""The console tests' seeded store (see console_seed.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so the tests can `import console_seed`
