"""Locate ../shared (the project's shared folder beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """``$INTEROPCHECK_SHARED`` or the ``shared`` folder beside the repository."""
    env = os.environ.get("INTEROPCHECK_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def real_placement_tools() -> Path:
    return shared_dir() / "tools" / "real-placement"
