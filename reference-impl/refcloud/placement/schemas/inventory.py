"""JSON-Schemas for inventory request bodies (unchanged across microversions)."""

from __future__ import annotations

import copy

MAX_INT = 2147483647
# The largest single-precision float a SQL FLOAT column stores.
SQL_SP_FLOAT_MAX = 3.40282e38

RC_PATTERN = "^[A-Z0-9_]+$"

# PUT /resource_providers/{uuid}/inventories/{rc}: one inventory plus the
# provider generation.
BASE_INVENTORY_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "resource_provider_generation": {"type": "integer"},
        "total": {"type": "integer", "maximum": MAX_INT, "minimum": 1},
        "reserved": {"type": "integer", "maximum": MAX_INT, "minimum": 0},
        "min_unit": {"type": "integer", "maximum": MAX_INT, "minimum": 1},
        "max_unit": {"type": "integer", "maximum": MAX_INT, "minimum": 1},
        "step_size": {"type": "integer", "maximum": MAX_INT, "minimum": 1},
        "allocation_ratio": {"type": "number", "maximum": SQL_SP_FLOAT_MAX},
    },
    "required": ["total", "resource_provider_generation"],
    "additionalProperties": False,
}

# POST /resource_providers/{uuid}/inventories: names its resource class and
# needs no generation.
POST_INVENTORY_SCHEMA = copy.deepcopy(BASE_INVENTORY_SCHEMA)
POST_INVENTORY_SCHEMA["properties"]["resource_class"] = {"type": "string", "pattern": RC_PATTERN}
POST_INVENTORY_SCHEMA["required"].append("resource_class")
POST_INVENTORY_SCHEMA["required"].remove("resource_provider_generation")

# One record inside PUT /resource_providers/{uuid}/inventories.
PUT_INVENTORY_RECORD_SCHEMA = copy.deepcopy(BASE_INVENTORY_SCHEMA)
PUT_INVENTORY_RECORD_SCHEMA["required"].remove("resource_provider_generation")

# PUT /resource_providers/{uuid}/inventories: the whole inventory.
PUT_INVENTORY_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "resource_provider_generation": {"type": "integer"},
        "inventories": {
            "type": "object",
            "patternProperties": {RC_PATTERN: PUT_INVENTORY_RECORD_SCHEMA},
        },
    },
    "required": ["resource_provider_generation", "inventories"],
    "additionalProperties": False,
}
