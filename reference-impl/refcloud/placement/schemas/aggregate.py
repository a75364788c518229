"""JSON-Schemas for PUT /resource_providers/{uuid}/aggregates."""

from __future__ import annotations

import copy

from refcloud import microversion as mv

_AGGREGATE_UUIDS: dict = {
    "type": "array",
    "items": {"type": "string", "format": "uuid"},
    "uniqueItems": True,
}

# 1.1 - 1.18: a bare list of unique aggregate uuids.
PUT_AGGREGATES_SCHEMA_V1_1 = copy.deepcopy(_AGGREGATE_UUIDS)

# 1.19: an object carrying the provider generation too, both required.
PUT_AGGREGATES_SCHEMA_V1_19: dict = {
    "type": "object",
    "properties": {
        "aggregates": copy.deepcopy(_AGGREGATE_UUIDS),
        "resource_provider_generation": {"type": "integer"},
    },
    "required": ["aggregates", "resource_provider_generation"],
    "additionalProperties": False,
}


# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

PUT_SCHEMAS = (
    (mv.AGGREGATES, PUT_AGGREGATES_SCHEMA_V1_1),
    (mv.AGGREGATES_GENERATION, PUT_AGGREGATES_SCHEMA_V1_19),
)
