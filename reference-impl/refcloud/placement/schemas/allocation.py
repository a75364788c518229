"""JSON-Schemas for PUT /allocations/{consumer_uuid} and POST /allocations.

One constant per microversion where a body changes; each later constant is
a deep copy of an earlier one plus the commented change.
"""

from __future__ import annotations

import copy

from refcloud import microversion as mv

UUID_PATTERN = "^[0-9a-fA-F-]{36}$"
RC_PATTERN = "^[A-Z0-9_]+$"
CONSUMER_TYPE_PATTERN = RC_PATTERN
# Request group suffixes from 1.33 (used by the 1.34 ``mappings``).
GROUP_PAT_1_33 = r"[a-zA-Z0-9_-]{1,64}"

_ID_STRING = {"type": "string", "minLength": 1, "maxLength": 255}

_RESOURCES = {
    "type": "object",
    "minProperties": 1,
    "patternProperties": {RC_PATTERN: {"type": "integer", "minimum": 1}},
    "additionalProperties": False,
}

# 1.0-1.7: a list of {resource_provider: {uuid}, resources}; project and
# user are not accepted (the incomplete-consumer ids are used).
ALLOCATION_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "allocations": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "resource_provider": {
                        "type": "object",
                        "properties": {"uuid": {"type": "string", "format": "uuid"}},
                        "additionalProperties": False,
                        "required": ["uuid"],
                    },
                    "resources": copy.deepcopy(_RESOURCES),
                },
                "required": ["resource_provider", "resources"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["allocations"],
    "additionalProperties": False,
}

# 1.8: project_id and user_id are required.
ALLOCATION_SCHEMA_V1_8 = copy.deepcopy(ALLOCATION_SCHEMA)
ALLOCATION_SCHEMA_V1_8["properties"]["project_id"] = copy.deepcopy(_ID_STRING)
ALLOCATION_SCHEMA_V1_8["properties"]["user_id"] = copy.deepcopy(_ID_STRING)
ALLOCATION_SCHEMA_V1_8["required"].extend(["project_id", "user_id"])

# 1.12: the dict form keyed by provider uuid, as GET /allocations/{c} shows it
# (the provider ``generation`` is accepted and ignored).
ALLOCATION_SCHEMA_V1_12: dict = {
    "type": "object",
    "properties": {
        "allocations": {
            "type": "object",
            "minProperties": 1,
            "patternProperties": {
                UUID_PATTERN: {
                    "type": "object",
                    "properties": {
                        "generation": {"type": "integer"},
                        "resources": copy.deepcopy(_RESOURCES),
                    },
                    "required": ["resources"],
                    "additionalProperties": False,
                }
            },
            "additionalProperties": False,
        },
        "project_id": copy.deepcopy(_ID_STRING),
        "user_id": copy.deepcopy(_ID_STRING),
    },
    "additionalProperties": False,
    "required": ["allocations", "project_id", "user_id"],
}

# 1.13 POST /allocations: an object keyed by consumer uuid of 1.12 bodies
# whose allocations may be empty (meaning: remove the consumer's allocations).
DELETABLE_ALLOCATIONS = copy.deepcopy(ALLOCATION_SCHEMA_V1_12)
DELETABLE_ALLOCATIONS["properties"]["allocations"]["minProperties"] = 0
POST_ALLOCATIONS_V1_13: dict = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "patternProperties": {UUID_PATTERN: DELETABLE_ALLOCATIONS},
}

_CONSUMER_GENERATION = {"type": ["integer", "null"], "additionalProperties": False}

# 1.28 PUT: consumer_generation is required and allocations may be empty.
ALLOCATION_SCHEMA_V1_28 = copy.deepcopy(DELETABLE_ALLOCATIONS)
ALLOCATION_SCHEMA_V1_28["properties"]["consumer_generation"] = copy.deepcopy(
    _CONSUMER_GENERATION
)
ALLOCATION_SCHEMA_V1_28["required"].append("consumer_generation")

# 1.28 POST: each consumer carries a required consumer_generation.
REQUIRED_GENERATION_ALLOCS_POST = copy.deepcopy(DELETABLE_ALLOCATIONS)
REQUIRED_GENERATION_ALLOCS_POST["properties"]["consumer_generation"] = copy.deepcopy(
    _CONSUMER_GENERATION
)
REQUIRED_GENERATION_ALLOCS_POST["required"].append("consumer_generation")
POST_ALLOCATIONS_V1_28 = copy.deepcopy(POST_ALLOCATIONS_V1_13)
POST_ALLOCATIONS_V1_28["patternProperties"] = {UUID_PATTERN: REQUIRED_GENERATION_ALLOCS_POST}

# 1.34: an optional ``mappings`` object (request group suffix -> provider
# uuids), accepted and ignored.
MAPPINGS_SCHEMA: dict = {
    "type": "object",
    "minProperties": 1,
    "patternProperties": {
        GROUP_PAT_1_33: {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "format": "uuid"},
        }
    },
}
ALLOCATION_SCHEMA_V1_34 = copy.deepcopy(ALLOCATION_SCHEMA_V1_28)
ALLOCATION_SCHEMA_V1_34["properties"]["mappings"] = copy.deepcopy(MAPPINGS_SCHEMA)
POST_ALLOCATIONS_V1_34 = copy.deepcopy(POST_ALLOCATIONS_V1_28)
POST_ALLOCATIONS_V1_34["patternProperties"] = {UUID_PATTERN: ALLOCATION_SCHEMA_V1_34}

# 1.38: a required ``consumer_type`` for PUT and for each consumer in POST.
ALLOCATION_SCHEMA_V1_38 = copy.deepcopy(ALLOCATION_SCHEMA_V1_34)
ALLOCATION_SCHEMA_V1_38["properties"]["consumer_type"] = {
    "type": "string",
    "pattern": CONSUMER_TYPE_PATTERN,
    "minLength": 1,
    "maxLength": 255,
}
ALLOCATION_SCHEMA_V1_38["required"].append("consumer_type")
POST_ALLOCATIONS_V1_38 = copy.deepcopy(POST_ALLOCATIONS_V1_34)
POST_ALLOCATIONS_V1_38["patternProperties"] = {UUID_PATTERN: ALLOCATION_SCHEMA_V1_38}


# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

PUT_SCHEMAS = (
    (mv.BASE, ALLOCATION_SCHEMA),
    (mv.ALLOCATION_OWNER, ALLOCATION_SCHEMA_V1_8),
    (mv.ALLOCATIONS_DICT, ALLOCATION_SCHEMA_V1_12),
    (mv.CONSUMER_GENERATIONS, ALLOCATION_SCHEMA_V1_28),
    (mv.MAPPINGS, ALLOCATION_SCHEMA_V1_34),
    (mv.CONSUMER_TYPES, ALLOCATION_SCHEMA_V1_38),
)
POST_SCHEMAS = (
    (mv.POST_ALLOCATIONS, POST_ALLOCATIONS_V1_13),
    (mv.CONSUMER_GENERATIONS, POST_ALLOCATIONS_V1_28),
    (mv.MAPPINGS, POST_ALLOCATIONS_V1_34),
    (mv.CONSUMER_TYPES, POST_ALLOCATIONS_V1_38),
)
