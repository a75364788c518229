"""The one microversion module: every handler asks it "is this version >= X?".

Parsing of the ``OpenStack-API-Version`` header is done by the
``microversion-parse`` package (its middleware is installed in ``app.py``);
this module holds the versions by name (as Placement's ``microversion.py``
does), the helpers handlers use, and ``pick`` for version-to-value tables.
Handlers and ``tools/gen_openapi.py`` both read these names, so a version
number is written once, here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import microversion_parse
import webob
import webob.exc

SERVICE_TYPE = "placement"
ENVIRON_KEY = f"{SERVICE_TYPE}.microversion"

Version = microversion_parse.Version
T = TypeVar("T")

# One name per version, with what it changed.
BASE = Version(1, 0)                      # base API
AGGREGATES = Version(1, 1)                # provider aggregates (bare list), aggregates link
RESOURCE_CLASSES = Version(1, 2)          # /resource_classes CRUD, PUT renames
PROVIDERS_MEMBER_OF = Version(1, 3)       # member_of on GET /resource_providers
PROVIDERS_RESOURCES = Version(1, 4)       # resources= capacity filter on GET /resource_providers
DELETE_ALL_INVENTORIES = Version(1, 5)    # DELETE /resource_providers/{uuid}/inventories
TRAITS = Version(1, 6)                    # traits API, traits link
RESOURCE_CLASS_PUT_CREATE = Version(1, 7)  # PUT /resource_classes/{name}: bodiless create
ALLOCATION_OWNER = Version(1, 8)          # project_id/user_id required in PUT /allocations/{c}
USAGES = Version(1, 9)                    # GET /usages
ALLOCATION_CANDIDATES = Version(1, 10)    # GET /allocation_candidates
ALLOCATIONS_LINK = Version(1, 11)         # allocations link on providers
ALLOCATIONS_DICT = Version(1, 12)         # dict-form PUT /allocations/{c}; project/user in GET
POST_ALLOCATIONS = Version(1, 13)         # POST /allocations
NESTED_PROVIDERS = Version(1, 14)         # nested providers, in_tree
CACHE_HEADERS = Version(1, 15)            # Last-Modified and Cache-Control
CANDIDATES_LIMIT = Version(1, 16)         # limit on allocation candidates
CANDIDATES_TRAITS = Version(1, 17)        # required traits on allocation candidates
PROVIDERS_REQUIRED = Version(1, 18)       # required on GET /resource_providers
AGGREGATES_GENERATION = Version(1, 19)    # aggregates carry and check the provider generation
CREATE_RETURNS_PROVIDER = Version(1, 20)  # POST /resource_providers returns 200 with the provider
CANDIDATES_MEMBER_OF = Version(1, 21)     # member_of on allocation candidates
FORBIDDEN_TRAITS = Version(1, 22)         # forbidden traits
ERROR_CODES = Version(1, 23)              # error codes in error bodies
MULTI_MEMBER_OF = Version(1, 24)          # repeated member_of
GRANULAR_GROUPS = Version(1, 25)          # granular request groups
RESERVED_EQUALS_TOTAL = Version(1, 26)    # reserved may equal total
ALL_SUMMARY_CLASSES = Version(1, 27)      # all inventory classes in provider summaries
CONSUMER_GENERATIONS = Version(1, 28)     # consumer generations
NESTED_CANDIDATES = Version(1, 29)        # nested allocation candidates
RESHAPER = Version(1, 30)                 # POST /reshaper
CANDIDATES_IN_TREE = Version(1, 31)       # in_tree on allocation candidates
FORBIDDEN_AGGREGATES = Version(1, 32)     # forbidden aggregates
VERBOSE_SUFFIXES = Version(1, 33)         # string request group suffixes
MAPPINGS = Version(1, 34)                 # mappings in allocation requests
ROOT_REQUIRED = Version(1, 35)            # root_required
SAME_SUBTREE = Version(1, 36)             # same_subtree
REPARENTING = Version(1, 37)              # re-parent and un-parent providers
CONSUMER_TYPES = Version(1, 38)           # consumer types
ANY_TRAITS = Version(1, 39)               # any-of traits (required=in:A,B)

_ALL = (
    BASE, AGGREGATES, RESOURCE_CLASSES, PROVIDERS_MEMBER_OF, PROVIDERS_RESOURCES,
    DELETE_ALL_INVENTORIES, TRAITS, RESOURCE_CLASS_PUT_CREATE, ALLOCATION_OWNER, USAGES,
    ALLOCATION_CANDIDATES, ALLOCATIONS_LINK, ALLOCATIONS_DICT, POST_ALLOCATIONS,
    NESTED_PROVIDERS, CACHE_HEADERS, CANDIDATES_LIMIT, CANDIDATES_TRAITS, PROVIDERS_REQUIRED,
    AGGREGATES_GENERATION, CREATE_RETURNS_PROVIDER, CANDIDATES_MEMBER_OF, FORBIDDEN_TRAITS,
    ERROR_CODES, MULTI_MEMBER_OF, GRANULAR_GROUPS, RESERVED_EQUALS_TOTAL, ALL_SUMMARY_CLASSES,
    CONSUMER_GENERATIONS, NESTED_CANDIDATES, RESHAPER, CANDIDATES_IN_TREE,
    FORBIDDEN_AGGREGATES, VERBOSE_SUFFIXES, MAPPINGS, ROOT_REQUIRED, SAME_SUBTREE,
    REPARENTING, CONSUMER_TYPES, ANY_TRAITS,
)
#: Every version, oldest first, as microversion-parse wants them.
VERSIONS = [str(v) for v in sorted(_ALL)]

MIN_VERSION = VERSIONS[0]
MAX_VERSION = VERSIONS[-1]

#: A version-to-value table: ``((since, value), ...)``, oldest first.
Table = Sequence[tuple[Version, T]]


def of(req: webob.Request) -> Version:
    """The microversion the request asked for (set by the middleware)."""
    return req.environ[ENVIRON_KEY]


def at_least(req: webob.Request, version: Version) -> bool:
    """Is the request's version >= ``version``?"""
    return bool(of(req).matches(version))


def environ_at_least(environ: dict[str, Any], version: Version) -> bool:
    """``at_least`` for a WSGI environ (False before negotiation)."""
    want = environ.get(ENVIRON_KEY)
    return want is not None and bool(want.matches(version))


def pick(req: webob.Request, table: Table[T]) -> T:
    """The value of the newest ``(since, value)`` entry the request's version reaches."""
    want = of(req)
    for since, value in reversed(table):
        if want.matches(since):
            return value
    raise LookupError(f"no entry for version {want} in a table starting at {table[0][0]}")


def previous(version: Version) -> Version:
    """The version just before ``version`` (same major)."""
    return Version(version.major, version.minor - 1)


def ranges(table: Table[T]) -> list[tuple[Version, Version | None, T]]:
    """A table as ``(first, last, value)`` rows (``last`` None: up to the newest)."""
    nexts = [previous(since) for since, _ in table[1:]]
    lasts: list[Version | None] = [*nexts, None]
    return [(since, last, value) for (since, value), last in zip(table, lasts, strict=True)]


def version_handler(
    min_version: Version, status_code: int = 404
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit a whole handler to versions >= ``min_version``; below it, 404 (or 405).

    The wrapper carries ``min_version`` (read by ``min_version_of`` and the OpenAPI
    generator).
    """

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(req: webob.Request, *args: Any, **kwargs: Any) -> Any:
            if not at_least(req, min_version):
                if status_code == 405:
                    raise webob.exc.HTTPMethodNotAllowed()  # webob's bare text, as Placement
                raise webob.exc.HTTPNotFound()
            return func(req, *args, **kwargs)

        wrapper.min_version = min_version  # type: ignore[attr-defined]
        return wrapper

    return decorator


def min_version_of(app: Any) -> Version:
    """The lowest version a routed handler serves (``BASE`` unless ``version_handler`` says)."""
    seen = set()
    while app is not None and id(app) not in seen:
        seen.add(id(app))
        if hasattr(app, "min_version"):
            return app.min_version
        app = getattr(app, "func", None) or getattr(app, "__wrapped__", None)
    return BASE
