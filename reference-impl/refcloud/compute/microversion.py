"""The servers API's own microversions, negotiated with ``OpenStack-API-Version: compute X.Y``.

Parsing and the 400/406 answers are microversion-parse's middleware (as for
Placement); handlers ask ``at_least(req, NAME)`` with a version named here. Without a header the
version is the minimum, ``latest`` is the maximum.
"""

from __future__ import annotations

import microversion_parse
import webob

SERVICE_TYPE = "compute"
ENVIRON_KEY = f"{SERVICE_TYPE}.microversion"

Version = microversion_parse.Version

# servers: create, show, list, detail, delete, actions (reboot, migrate, confirmResize,
# revertResize); flavors; os-migrations
BASE = Version(1, 0)
AVAILABILITY_ZONE = Version(1, 1)  # the server body gains "availability_zone"

VERSIONS = [str(v) for v in (BASE, AVAILABILITY_ZONE)]

MIN_VERSION = VERSIONS[0]
MAX_VERSION = VERSIONS[-1]


def of(req: webob.Request) -> Version:
    return req.environ[ENVIRON_KEY]


def at_least(req: webob.Request, version: Version) -> bool:
    """Is the request's compute version >= ``version``?"""
    return bool(of(req).matches(version))
