"""refcloud: a Placement-compatible reference service for interopcheck.

``make_app(Config(...))`` returns the WSGI application; ``refcloud serve``
runs it on a socket. The package does not import interopcheck.
"""

from __future__ import annotations

from refcloud.app import make_app
from refcloud.config import Config

__all__ = ["Config", "make_app"]
__version__ = "0.1.0"
