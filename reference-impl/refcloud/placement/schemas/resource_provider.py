"""JSON-Schemas for resource providers: request bodies and list query strings.

Key order matters: jsonschema prints the failing schema in its error text,
which Placement passes through to the error detail.
"""

from __future__ import annotations

import copy

from refcloud import microversion as mv

# POST /resource_providers, 1.0 - 1.13
POST_RESOURCE_PROVIDER_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 200},
        "uuid": {"type": "string", "format": "uuid"},
    },
    "required": ["name"],
    "additionalProperties": False,
}

# PUT /resource_providers/{uuid}, 1.0 - 1.13: the uuid cannot be changed.
PUT_RESOURCE_PROVIDER_SCHEMA = copy.deepcopy(POST_RESOURCE_PROVIDER_SCHEMA)
del PUT_RESOURCE_PROVIDER_SCHEMA["properties"]["uuid"]

# 1.14: nested providers, an optional parent_provider_uuid (uuid or null).
POST_RP_SCHEMA_V1_14 = copy.deepcopy(POST_RESOURCE_PROVIDER_SCHEMA)
POST_RP_SCHEMA_V1_14["properties"]["parent_provider_uuid"] = {
    "anyOf": [
        {"type": "string", "format": "uuid"},
        {"type": "null"},
    ]
}

# 1.14 PUT: the POST schema without uuid.
PUT_RP_SCHEMA_V1_14 = copy.deepcopy(POST_RP_SCHEMA_V1_14)
del PUT_RP_SCHEMA_V1_14["properties"]["uuid"]

# GET /resource_providers query string, 1.0: name and uuid.
GET_RPS_SCHEMA_1_0: dict = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "uuid": {"type": "string", "format": "uuid"},
    },
    "additionalProperties": False,
}

# 1.3: member_of (aggregate filter; parsed by the handler).
GET_RPS_SCHEMA_1_3 = copy.deepcopy(GET_RPS_SCHEMA_1_0)
GET_RPS_SCHEMA_1_3["properties"]["member_of"] = {"type": "string"}

# 1.4: resources=RC:AMOUNT,... capacity filter (parsed by the handler).
GET_RPS_SCHEMA_1_4 = copy.deepcopy(GET_RPS_SCHEMA_1_3)
GET_RPS_SCHEMA_1_4["properties"]["resources"] = {"type": "string"}

# 1.14: in_tree=<provider uuid>.
GET_RPS_SCHEMA_1_14 = copy.deepcopy(GET_RPS_SCHEMA_1_4)
GET_RPS_SCHEMA_1_14["properties"]["in_tree"] = {"type": "string", "format": "uuid"}

# 1.18: required=<traits> (parsed by the handler).
GET_RPS_SCHEMA_1_18 = copy.deepcopy(GET_RPS_SCHEMA_1_14)
GET_RPS_SCHEMA_1_18["properties"]["required"] = {"type": "string"}

# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

POST_RP_SCHEMAS = (
    (mv.BASE, POST_RESOURCE_PROVIDER_SCHEMA),
    (mv.NESTED_PROVIDERS, POST_RP_SCHEMA_V1_14),
)
PUT_RP_SCHEMAS = (
    (mv.BASE, PUT_RESOURCE_PROVIDER_SCHEMA),
    (mv.NESTED_PROVIDERS, PUT_RP_SCHEMA_V1_14),
)
GET_RPS_SCHEMAS = (
    (mv.BASE, GET_RPS_SCHEMA_1_0),
    (mv.PROVIDERS_MEMBER_OF, GET_RPS_SCHEMA_1_3),
    (mv.PROVIDERS_RESOURCES, GET_RPS_SCHEMA_1_4),
    (mv.NESTED_PROVIDERS, GET_RPS_SCHEMA_1_14),
    (mv.PROVIDERS_REQUIRED, GET_RPS_SCHEMA_1_18),
)
