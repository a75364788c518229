"""POST /servers (1.0 and later)."""

from __future__ import annotations

CREATE_SERVER = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "flavorRef": {"type": ["string", "integer"], "minLength": 1},
                "imageRef": {"type": "string"},
                "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
                "min_count": {"type": "integer", "minimum": 1},
                "max_count": {"type": "integer", "minimum": 1},
            },
            "required": ["name", "flavorRef"],
            "additionalProperties": False,
        },
    },
    "required": ["server"],
    "additionalProperties": False,
}
