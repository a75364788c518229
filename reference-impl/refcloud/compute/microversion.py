"""The servers API's own microversions, negotiated with ``OpenStack-API-Version: compute X.Y``.

Parsing and the 400/406 answers are microversion-parse's middleware (as for
Placement); handlers ask ``at_least(req, minor)``. Without a header the
version is the minimum, ``latest`` is the maximum.
"""

from __future__ import annotations

import microversion_parse
import webob

SERVICE_TYPE = "compute"
ENVIRON_KEY = f"{SERVICE_TYPE}.microversion"

VERSIONS = [
    "1.0",  # servers: create, show, list, detail, delete, actions (reboot, migrate,
            # confirmResize, revertResize); flavors; os-migrations
    "1.1",  # the server body gains "availability_zone"
]

MIN_VERSION = VERSIONS[0]
MAX_VERSION = VERSIONS[-1]


def of(req: webob.Request) -> microversion_parse.Version:
    return req.environ[ENVIRON_KEY]


def at_least(req: webob.Request, minor: int) -> bool:
    """Is the request's compute version >= 1.<minor>?"""
    return bool(of(req).matches((1, minor)))
