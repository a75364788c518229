"""Authorization with Placement's default (legacy-compatible) policy.

Every rule name is the one real Placement uses, so a 403 detail reads the
same ("Policy does not allow placement:... to be performed.").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import webob
import webob.exc

from refcloud import exceptions, http


@dataclass(frozen=True)
class RequestContext:
    user_id: str | None
    project_id: str | None
    roles: frozenset[str] = field(default_factory=frozenset)
    request_id: str | None = None


def _admin_or_service(ctx: RequestContext, target: dict) -> bool:
    return bool({"admin", "service"} & ctx.roles)


def _service(ctx: RequestContext, target: dict) -> bool:
    # new default role:service; the deprecated fallback role:admin still applies
    return bool({"admin", "service"} & ctx.roles)


def _admin_or_project_reader_or_service(ctx: RequestContext, target: dict) -> bool:
    if {"admin", "service"} & ctx.roles:
        return True
    return "reader" in ctx.roles and ctx.project_id == target.get("project_id")


Check = Callable[[RequestContext, dict], bool]

_DEFAULT: Check = _admin_or_service
RULES: dict[str, Check] = {
    "placement:reshaper:reshape": _service,
    "placement:usages": _admin_or_project_reader_or_service,
}


def context(req: webob.Request) -> RequestContext:
    return req.environ[http.ENV_CONTEXT]


def authorize(req: webob.Request, rule: str, target: dict | None = None) -> None:
    """Raise 403 unless the request's credentials satisfy ``rule``."""
    if req.environ.get("HTTP_OPENSTACK_SYSTEM_SCOPE"):
        # Every Placement rule has scope_types=['project'] and oslo.policy
        # enforces scope: a system-scoped token is refused before any role
        # check, with the bare rule name as the detail (InvalidScope).
        raise exceptions.PolicyNotAuthorized(rule)
    check = RULES.get(rule, _DEFAULT)
    if not check(context(req), target or {}):
        raise exceptions.PolicyNotAuthorized(action=rule)
