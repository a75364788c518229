"""``python -m interopcheck``: the same as the ``interopcheck`` command."""

from __future__ import annotations

import sys

from interopcheck.cli import console

if __name__ == "__main__":
    sys.exit(console())
