"""JSON-Schemas for resource class request bodies."""

from __future__ import annotations

import copy

from refcloud import microversion as mv

CUSTOM_RC_PATTERN = "^CUSTOM_[A-Z0-9_]+$"

# POST /resource_classes (1.2+): a custom name.
POST_RC_SCHEMA_V1_2: dict = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": CUSTOM_RC_PATTERN, "maxLength": 255},
    },
    "required": ["name"],
    "additionalProperties": False,
}

# PUT /resource_classes/{name}: the new name (1.2-1.6); from 1.7 the path
# name is validated with it.
PUT_RC_SCHEMA_V1_2 = copy.deepcopy(POST_RC_SCHEMA_V1_2)


# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

#: The PUT body: a rename (1.2-1.6); from 1.7 PUT takes no body (create-or-verify).
PUT_RC_SCHEMAS = (
    (mv.RESOURCE_CLASSES, PUT_RC_SCHEMA_V1_2),
    (mv.RESOURCE_CLASS_PUT_CREATE, None),
)
