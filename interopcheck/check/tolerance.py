"""Strict and tolerant mode: the known, deliberate departures of real Placement.

Strict mode holds a cloud to the guideline text (and the catalog's regexes). Tolerant
mode accepts what microversion-parse based services such as Placement do by design,
each listed in ``../shared/apisig-rules.md`` (§1.1 MV008/MV010/MV011 [IMPL], §1.3 ERR002
[IMPL], §1.2 VD007 [IMPL], §4; HTTP010 and RES002 on the routes Placement's api-ref
documents that way). :func:`departure` names the departure a violation is
(or None); tolerant mode reports it as tolerated and does not fail on it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from interopcheck.rules.registry import Violation

__all__ = ["DEPARTURES", "departure"]

#: key -> why tolerant mode accepts it (shown in reports).
DEPARTURES: dict[str, str] = {
    "mvparse-major-zero": "microversion-parse answers 406 (not 400) for a 0.x version "
                          "(catalog §4; Placement's gabbi test expects 406 for 0.5)",
    "mvparse-leading-zero": "microversion-parse reads 1.01 as 1.1 instead of rejecting it "
                            "(catalog §4)",
    "mvparse-no-echo-on-own-errors": "microversion-parse's own 400/406 carry no "
                                     "OpenStack-API-Version header (catalog MV010 [IMPL])",
    "mvparse-no-vary-on-errors": "Vary: OpenStack-API-Version only on the success path and "
                                 "handler errors, not on errors raised before the handlers "
                                 "(catalog MV011 [IMPL], placement-spec §3.4)",
    "placement-error-no-links": "Placement's error objects have no links (catalog ERR002 "
                                "[IMPL])",
    "placement-error-no-code": "Placement's error objects have no code before 1.23 and on the "
                               "microversion 406 (catalog ERR002 [IMPL])",
    "placement-cache-headers-from-1.15": "Placement sends Cache-Control (and Last-Modified) "
                                         "only from microversion 1.15 (catalog CACHE001 "
                                         "[IMPL])",
    "placement-401-from-auth-middleware": "the 401 comes from keystonemiddleware/noauth2, "
                                          "before Placement, in webob's own format "
                                          "(placement-spec §0.4)",
    "placement-root-no-collection-link": "Placement's root links only self, with an empty "
                                         "href (catalog VD007 [IMPL])",
    "placement-put-204": "Placement answers 204 to PUT /allocations/{consumer_uuid}, and to "
                         "PUT /traits/{name} and PUT /resource_classes/{name} (1.7+) for one "
                         "that already exists (api-ref; catalog HTTP010)",
    "placement-trait-existence-204": "GET /traits/{name} is an existence check answered 204 "
                                     "with no body (api-ref; catalog HTTP010)",
    "placement-allocation-candidates-shape": "GET /allocation_candidates answers "
                                             "allocation_requests and provider_summaries, not "
                                             "one list named allocation_candidates (api-ref; "
                                             "catalog RES002)",
}

_LACKS = re.compile(r"lacks (?P<fields>[a-z_, ]+)$")


def _code_optional(v: Violation) -> bool:
    """Whether a missing ``code`` is Placement's documented behaviour for this answer."""
    source = v.source
    if getattr(source, "status", None) == 406:
        return True
    served = getattr(source, "served_minor", None)
    if served is None:  # no echo: microversion-parse's own error, or no version at all
        return True
    return served < (1, 23)


def departure(v: Violation) -> str | None:
    """The known departure ``v`` is, if any (explicit ``extra['departure']`` first)."""
    key = v.extra.get("departure") if v.extra else None
    if key:
        return key
    if v.rule == "ERR002":
        m = _LACKS.search(v.message)
        if not m:
            return None
        missing = {f.strip() for f in m.group("fields").split(",")}
        if not missing <= {"links", "code"}:
            return None
        if "code" in missing and not _code_optional(v):
            return None
        return "placement-error-no-links" if "links" in missing else "placement-error-no-code"
    if v.rule == "ERR001" and getattr(v.source, "status", None) == 401:
        return "placement-401-from-auth-middleware"
    if v.rule in ("CACHE001", "CACHE002"):
        served = getattr(v.source, "served_minor", None)
        return "placement-cache-headers-from-1.15" if served and served < (1, 15) else None
    if v.rule == "ERR006":
        return "placement-error-no-links"
    if v.rule == "VD007" and "collection" in v.message:
        return "placement-root-no-collection-link"
    if v.rule in ("HTTP010", "RES002"):
        return _placement_route(v)
    return None


def _placement_route(v: Violation) -> str | None:
    """HTTP010/RES002 on the Placement routes that answer so by design."""
    method = str(getattr(v.source, "method", "")).upper()
    path = urlsplit(str(getattr(v.source, "url", ""))).path
    segs = [s for s in path.split("/") if s]
    if v.rule == "RES002":
        return "placement-allocation-candidates-shape" if segs == ["allocation_candidates"] \
            else None
    if len(segs) != 2:
        return None
    if method == "PUT" and segs[0] in ("allocations", "traits", "resource_classes"):
        return "placement-put-204"
    if method == "GET" and segs[0] == "traits":
        return "placement-trait-existence-204"
    return None
