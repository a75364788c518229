"""Placeholder: replaced by the real handlers."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http


@http.handler
def get_total_usages(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def list_usages(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")
