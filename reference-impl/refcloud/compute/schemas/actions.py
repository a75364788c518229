"""POST /servers/{id}/action: one schema per action (the body's single key)."""

from __future__ import annotations

from typing import Any

_NULL_OR_EMPTY: dict[str, Any] = {
    "oneOf": [{"type": "null"}, {"type": "object", "additionalProperties": False}],
}

REBOOT = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["SOFT", "HARD", "soft", "hard"]},
    },
    "required": ["type"],
    "additionalProperties": False,
}

MIGRATE = {
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "properties": {"host": {"type": ["string", "null"], "minLength": 1}},
            "additionalProperties": False,
        },
    ],
}

CONFIRM_RESIZE = _NULL_OR_EMPTY
REVERT_RESIZE = _NULL_OR_EMPTY

ACTIONS: dict[str, dict[str, Any]] = {
    "reboot": REBOOT,
    "migrate": MIGRATE,
    "confirmResize": CONFIRM_RESIZE,
    "revertResize": REVERT_RESIZE,
}
