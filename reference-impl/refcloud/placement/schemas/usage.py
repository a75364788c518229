"""JSON-Schemas for the GET /usages query string."""

from __future__ import annotations

import copy

from refcloud import microversion as mv

CONSUMER_TYPE_GET_PATTERN = "^[A-Z0-9_]+$|^all|^unknown$"

# GET /usages (1.9+): project_id required, user_id optional.
GET_USAGES_SCHEMA_1_9: dict = {
    "type": "object",
    "properties": {
        "project_id": {"type": "string", "minLength": 1, "maxLength": 255},
        "user_id": {"type": "string", "minLength": 1, "maxLength": 255},
    },
    "required": ["project_id"],
    "additionalProperties": False,
}

# 1.38: optional consumer_type (a type name, "all" or "unknown").
GET_USAGES_SCHEMA_V1_38 = copy.deepcopy(GET_USAGES_SCHEMA_1_9)
GET_USAGES_SCHEMA_V1_38["properties"]["consumer_type"] = {
    "type": "string",
    "pattern": CONSUMER_TYPE_GET_PATTERN,
    "minLength": 1,
    "maxLength": 255,
}


# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

GET_USAGES_SCHEMAS = (
    (mv.USAGES, GET_USAGES_SCHEMA_1_9),
    (mv.CONSUMER_TYPES, GET_USAGES_SCHEMA_V1_38),
)
