"""POST /servers/{id}/action: a body with exactly one action key.

202 (no body) when accepted; 400 for an unknown action or a bad argument,
or a migration with no valid destination; 409 when the server's status (or
a running task) forbids the action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import webob
import webob.exc

from refcloud import http
from refcloud.compute import policy, wsgi
from refcloud.compute.handlers.servers import find_server
from refcloud.compute.schemas.actions import ACTIONS
from refcloud.compute.service import ComputeService
from refcloud.compute.store import InvalidState, ServerNotFound
from refcloud.scheduler.interface import AllocationUpdateFailed, NoValidHost, PlacementError

ONE_ACTION = {"type": "object", "minProperties": 1, "maxProperties": 1}


def _reboot(service: ComputeService, server_id: str, arg: Any) -> None:
    service.reboot(server_id)


def _migrate(service: ComputeService, server_id: str, arg: Any) -> None:
    service.migrate(server_id, (arg or {}).get("host"))


def _confirm(service: ComputeService, server_id: str, arg: Any) -> None:
    service.confirm_migration(server_id)


def _revert(service: ComputeService, server_id: str, arg: Any) -> None:
    service.revert_migration(server_id)


PERFORM: dict[str, Callable[[ComputeService, str, Any], None]] = {
    "reboot": _reboot,
    "migrate": _migrate,
    "confirmResize": _confirm,
    "revertResize": _revert,
}


@http.handler
@http.require_content(http.JSON)
def server_action(req: webob.Request) -> webob.Response:
    """202 at every version."""
    policy.authorize(req, "compute:servers:action")
    body = http.extract_json(req.body, ONE_ACTION)
    [(action, arg)] = body.items()
    if action not in ACTIONS:
        raise http.error(webob.exc.HTTPBadRequest, f"There is no such action: {action}",
                         code=wsgi.UNKNOWN_ACTION)
    try:
        jsonschema.validate(arg, ACTIONS[action], format_checker=http.FORMAT_CHECKER)
    except jsonschema.ValidationError as exc:
        raise http.error(webob.exc.HTTPBadRequest,
                         f"Invalid input for '{action}': {exc.message}") from None
    server = find_server(req)
    service: ComputeService = wsgi.service(req)
    try:
        PERFORM[action](service, server.id, arg)
    except ServerNotFound as exc:
        raise http.error(webob.exc.HTTPNotFound, str(exc), code=wsgi.SERVER_NOT_FOUND) from None
    except InvalidState as exc:
        raise http.error(webob.exc.HTTPConflict, str(exc), code=wsgi.INVALID_STATE) from None
    except NoValidHost as exc:
        raise http.error(webob.exc.HTTPBadRequest, str(exc), code=wsgi.NO_VALID_HOST) from None
    except AllocationUpdateFailed as exc:
        raise http.error(webob.exc.HTTPConflict, str(exc)) from None
    except PlacementError as exc:
        raise http.error(webob.exc.HTTPServiceUnavailable,
                         f"Placement could not complete the action: {exc}") from None
    return http.empty_response(req, status=202)
