"""The one microversion module: every handler asks it "is this version >= X?".

Parsing of the ``OpenStack-API-Version`` header is done by the
``microversion-parse`` package (its middleware is installed in ``app.py``);
this module holds the version list and the helpers handlers use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import microversion_parse
import webob
import webob.exc

SERVICE_TYPE = "placement"
ENVIRON_KEY = f"{SERVICE_TYPE}.microversion"

# One entry per version, with what it changed. Min and max are the ends.
VERSIONS = [
    "1.0",   # base API
    "1.1",   # provider aggregates (bare list), aggregates link
    "1.2",   # /resource_classes CRUD, PUT renames
    "1.3",   # member_of on GET /resource_providers
    "1.4",   # resources= capacity filter on GET /resource_providers
    "1.5",   # DELETE /resource_providers/{uuid}/inventories (405 before)
    "1.6",   # traits API, traits link
    "1.7",   # PUT /resource_classes/{name} is bodiless create-or-verify
    "1.8",   # project_id/user_id required in PUT /allocations/{c}
    "1.9",   # GET /usages
    "1.10",  # GET /allocation_candidates
    "1.11",  # allocations link on providers
    "1.12",  # dict-form PUT /allocations/{c}; project/user in GET
    "1.13",  # POST /allocations
    "1.14",  # nested providers, in_tree
    "1.15",  # Last-Modified and Cache-Control
    "1.16",  # limit on allocation candidates
    "1.17",  # required traits on allocation candidates
    "1.18",  # required on GET /resource_providers
    "1.19",  # aggregates carry and check the provider generation
    "1.20",  # POST /resource_providers returns 200 with the provider
    "1.21",  # member_of on allocation candidates
    "1.22",  # forbidden traits
    "1.23",  # error codes in error bodies
    "1.24",  # repeated member_of
    "1.25",  # granular request groups
    "1.26",  # reserved may equal total
    "1.27",  # all inventory classes in provider summaries
    "1.28",  # consumer generations
    "1.29",  # nested allocation candidates
    "1.30",  # POST /reshaper
    "1.31",  # in_tree on allocation candidates
    "1.32",  # forbidden aggregates
    "1.33",  # string request group suffixes
    "1.34",  # mappings in allocation requests
    "1.35",  # root_required
    "1.36",  # same_subtree
    "1.37",  # re-parent and un-parent providers
    "1.38",  # consumer types
    "1.39",  # any-of traits (required=in:A,B)
]

MIN_VERSION = VERSIONS[0]
MAX_VERSION = VERSIONS[-1]

Version = microversion_parse.Version


def of(req: webob.Request) -> Version:
    """The microversion the request asked for (set by the middleware)."""
    return req.environ[ENVIRON_KEY]


def at_least(req: webob.Request, minor: int) -> bool:
    """Is the request's version >= 1.<minor>?"""
    return bool(of(req).matches((1, minor)))


def between(req: webob.Request, low: int, high: int) -> bool:
    """Is 1.<low> <= the request's version <= 1.<high>?"""
    return bool(of(req).matches((1, low), (1, high)))


def version_handler(
    min_minor: int, max_minor: int | None = None, status_code: int = 404
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a whole handler to a version range; outside it, 404 (or 405)."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(req: webob.Request, *args: Any, **kwargs: Any) -> Any:
            top = (1, max_minor) if max_minor is not None else None
            if not of(req).matches((1, min_minor), top):
                if status_code == 405:
                    raise webob.exc.HTTPMethodNotAllowed(
                        "The method specified is not allowed for this resource."
                    )
                raise webob.exc.HTTPNotFound()
            return func(req, *args, **kwargs)

        return wrapper

    return decorator
