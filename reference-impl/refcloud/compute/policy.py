"""Who may do what on the servers API (noauth2 credentials, as Placement's).

Project members manage their project's servers; another project's server is
a 404, as in Nova. Admin (role ``admin``) sees every server and alone may use
``/os-migrations`` and ``/os-simulation``.
"""

from __future__ import annotations

import webob
import webob.exc

from refcloud import http, policy

ADMIN_RULES = frozenset({"compute:migrations:index", "compute:simulation:hosts"})


def context(req: webob.Request) -> policy.RequestContext:
    return policy.context(req)


def is_admin(req: webob.Request) -> bool:
    return "admin" in policy.context(req).roles


def authorize(req: webob.Request, rule: str) -> policy.RequestContext:
    """403 unless the caller may use ``rule``; returns the caller's context."""
    ctx = policy.context(req)
    allowed = is_admin(req) if rule in ADMIN_RULES else bool(ctx.project_id)
    if not allowed:
        raise http.error(webob.exc.HTTPForbidden,
                         f"Policy doesn't allow {rule} to be performed.")
    return ctx


def can_see(req: webob.Request, project_id: str) -> bool:
    return is_admin(req) or policy.context(req).project_id == project_id
