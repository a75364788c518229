"""``python -m refcloud``: the ``refcloud`` command line."""

from __future__ import annotations

import sys

from refcloud.cli import main

if __name__ == "__main__":
    sys.exit(main())
