"""JSON-Schemas for the traits API (from 1.6; unchanged since).

The dicts must stay equal to Placement's: jsonschema prints the failing
(sub)schema in its error message, which ends up in the 400 detail.
"""

from __future__ import annotations

import copy

# Trait names: upper-case letters, digits and underscores.
_TRAIT_CHAR = "[A-Z0-9_]"
CUSTOM_TRAIT_PATTERN = f"^CUSTOM_{_TRAIT_CHAR}+$"

# Any trait name, as listed in PUT /resource_providers/{uuid}/traits.
TRAIT: dict = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
}

# A name PUT /traits/{name} may create.
CUSTOM_TRAIT: dict = copy.deepcopy(TRAIT)
# change: custom names only
CUSTOM_TRAIT["pattern"] = CUSTOM_TRAIT_PATTERN

# {"traits": [custom names]}: Placement defines it; no route uses it.
PUT_TRAITS_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "traits": {
            "type": "array",
            "items": CUSTOM_TRAIT,
        },
    },
    "required": ["traits"],
    "additionalProperties": False,
}

# Body of PUT /resource_providers/{uuid}/traits.
SET_TRAITS_FOR_RP_SCHEMA: dict = copy.deepcopy(PUT_TRAITS_SCHEMA)
# change: any existing trait may be set, and the generation is required
SET_TRAITS_FOR_RP_SCHEMA["properties"]["traits"]["items"] = copy.deepcopy(TRAIT)
SET_TRAITS_FOR_RP_SCHEMA["properties"]["resource_provider_generation"] = {"type": "integer"}
SET_TRAITS_FOR_RP_SCHEMA["required"].append("resource_provider_generation")

# Query string of GET /traits (values are checked by the handler).
LIST_TRAIT_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "associated": {"type": "string"},
    },
    "additionalProperties": False,
}
