"""Placeholder: replaced by the real handlers."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http


@http.handler
def delete_allocations(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def list_for_consumer(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def list_for_resource_provider(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def set_allocations(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def set_allocations_for_consumer(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")
