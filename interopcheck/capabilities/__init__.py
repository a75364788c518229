"""The capabilities document of one cloud: what it can do, per microversion, in one file.

Built from a snapshot (:mod:`interopcheck.snapshot`): the version range, the routes the
profile's calls found at each microversion, the traits and resource classes the cloud
lists, and the features a client would otherwise probe for. ``capabilities diff A B``
says what one cloud can do that the other cannot.
"""

from __future__ import annotations

from interopcheck.capabilities.document import build_document, diff_documents

__all__ = ["build_document", "diff_documents"]
