"""A servers API on refcloud (microversioned ``compute 1.0``-``1.1``), with a
conductor that builds on simulated computes and retries on alternates.

``make_compute_app(placement, ComputeConfig(...))`` returns the WSGI app;
``mount.with_compute(placement_app)`` serves it under ``/compute`` beside
Placement. The scheduler and conductor reach Placement over HTTP only.
"""

from __future__ import annotations

from refcloud.compute.app import make_compute_app
from refcloud.compute.config import ComputeConfig

__all__ = ["ComputeConfig", "make_compute_app"]
