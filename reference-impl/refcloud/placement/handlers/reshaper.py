"""Placeholder: replaced by the real handlers."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http


@http.handler
def reshape(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")
