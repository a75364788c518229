"""JSON-Schemas for POST /reshaper (from 1.30)."""

from __future__ import annotations

import copy

from refcloud import microversion as mv
from refcloud.placement.schemas import allocation

MAX_INT = 0x7FFFFFFF
SQL_SP_FLOAT_MAX = 3.40282e38


def _int_field(minimum: int) -> dict:
    return {"type": "integer", "maximum": MAX_INT, "minimum": minimum}


# One inventory record, as in PUT /resource_providers/{uuid}/inventories.
INVENTORY_RECORD_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "resource_provider_generation": {"type": "integer"},
        "total": _int_field(1),
        "reserved": _int_field(0),
        "min_unit": _int_field(1),
        "max_unit": _int_field(1),
        "step_size": _int_field(1),
        "allocation_ratio": {"type": "number", "maximum": SQL_SP_FLOAT_MAX},
    },
    "required": ["total"],
    "additionalProperties": False,
}

# A provider's whole inventory, as the body of PUT .../inventories.
PROVIDER_INVENTORIES_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "resource_provider_generation": {"type": "integer"},
        "inventories": {
            "type": "object",
            "patternProperties": {allocation.RC_PATTERN: INVENTORY_RECORD_SCHEMA},
        },
    },
    "required": ["resource_provider_generation", "inventories"],
    "additionalProperties": False,
}

# 1.30: the allocations part is a 1.28 POST /allocations body that may be
# empty (there may be no allocations on the inventory being moved).
ALLOCATIONS = copy.deepcopy(allocation.POST_ALLOCATIONS_V1_28)
ALLOCATIONS["minProperties"] = 0
POST_RESHAPER_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "inventories": {
            "type": "object",
            "patternProperties": {allocation.UUID_PATTERN: PROVIDER_INVENTORIES_SCHEMA},
            # at least one provider, otherwise there is nothing to reshape
            "minProperties": 1,
            "additionalProperties": False,
        },
        "allocations": ALLOCATIONS,
    },
    "required": ["inventories", "allocations"],
    "additionalProperties": False,
}

# 1.34: the allocations accept ``mappings``.
POST_RESHAPER_SCHEMA_V1_34 = copy.deepcopy(POST_RESHAPER_SCHEMA)
ALLOCATIONS_V1_34 = copy.deepcopy(allocation.POST_ALLOCATIONS_V1_34)
ALLOCATIONS_V1_34["minProperties"] = 0
POST_RESHAPER_SCHEMA_V1_34["properties"]["allocations"] = ALLOCATIONS_V1_34

# 1.38: the allocations require ``consumer_type``.
POST_RESHAPER_SCHEMA_V1_38 = copy.deepcopy(POST_RESHAPER_SCHEMA_V1_34)
ALLOCATIONS_V1_38 = copy.deepcopy(allocation.POST_ALLOCATIONS_V1_38)
ALLOCATIONS_V1_38["minProperties"] = 0
POST_RESHAPER_SCHEMA_V1_38["properties"]["allocations"] = ALLOCATIONS_V1_38


# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

POST_SCHEMAS = (
    (mv.RESHAPER, POST_RESHAPER_SCHEMA),
    (mv.MAPPINGS, POST_RESHAPER_SCHEMA_V1_34),
    (mv.CONSUMER_TYPES, POST_RESHAPER_SCHEMA_V1_38),
)
