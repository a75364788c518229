"""``interopcheck`` command line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print("interopcheck: the diff, check and lint commands are not built yet", file=sys.stderr)
    return 2
