"""interopcheck: do two clouds of a microversioned HTTP API really behave the same?"""

from __future__ import annotations

__all__: list[str] = []
__version__ = "0.1.0"
