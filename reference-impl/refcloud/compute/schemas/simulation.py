"""PUT /os-simulation/hosts/{name}: a host's fault injection."""

from __future__ import annotations

SET_HOST = {
    "type": "object",
    "properties": {
        "fault": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "probability": {"type": "number", "minimum": 0, "maximum": 1},
                        "always": {"type": "boolean"},
                    },
                    "additionalProperties": False,
                },
            ],
        },
    },
    "required": ["fault"],
    "additionalProperties": False,
}
