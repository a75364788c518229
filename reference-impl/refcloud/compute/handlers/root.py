"""GET / : the servers API's version document (no authentication)."""

from __future__ import annotations

import webob

from refcloud import http
from refcloud.compute import microversion


@http.handler
@http.check_accept(http.JSON)
def home(req: webob.Request) -> webob.Response:
    """200 always, at every version."""
    body = {
        "versions": [
            {
                "id": f"v{microversion.MIN_VERSION}",
                "max_version": microversion.MAX_VERSION,
                "min_version": microversion.MIN_VERSION,
                "status": "CURRENT",
                "links": [{"rel": "self", "href": f"{http.prefix(req)}/"},
                          {"rel": "collection", "href": f"{http.prefix(req)}/"}],
            }
        ]
    }
    return http.json_response(req, body)
