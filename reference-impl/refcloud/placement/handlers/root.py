"""GET / : version discovery (no authentication)."""

from __future__ import annotations

import webob

from refcloud import http, microversion


@http.handler
def home(req: webob.Request) -> webob.Response:
    """200 always; LM/CC from 1.15."""
    min_version = microversion.MIN_VERSION
    body = {
        "versions": [
            {
                "id": f"v{min_version}",
                "max_version": microversion.MAX_VERSION,
                "min_version": min_version,
                "status": "CURRENT",
                "links": [{"rel": "self", "href": ""}],
            }
        ]
    }
    return http.json_response(req, body, last_modified=True)
