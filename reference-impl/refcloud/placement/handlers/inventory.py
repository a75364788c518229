"""Placeholder: replaced by the real handlers."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http


@http.handler
def create_inventory(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def delete_inventories(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def delete_inventory(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def get_inventories(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def get_inventory(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def set_inventories(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")


@http.handler
def update_inventory(req: webob.Request) -> webob.Response:
    raise http.error(webob.exc.HTTPNotImplemented, "not yet")
