"""Placeholder: replaced by the real handlers."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http


@http.handler
def create_resource_class(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def delete_resource_class(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def get_resource_class(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def list_resource_classes(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def update_resource_class(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")
