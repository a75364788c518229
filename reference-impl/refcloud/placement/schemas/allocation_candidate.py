"""Query-string schemas for GET /allocation_candidates.

One constant per microversion where the accepted parameters change; each
later constant is a deep copy of an earlier one plus the commented change.
``schema_for`` picks the highest threshold a request reaches. Values are
always strings (webob gives strings; a repeated key shows its last value).
"""

from __future__ import annotations

import copy

from refcloud import microversion as mv

# Request group suffixes: numbered before 1.33, then free-form.
GROUP_PAT = r"[1-9][0-9]*"
GROUP_PAT_1_33 = r"[a-zA-Z0-9_-]{1,64}"

_GROUP_KEY = "^%s(" + GROUP_PAT + ")?$"
_GROUP_KEY_1_33 = "^%s(" + GROUP_PAT_1_33 + ")?$"

# 1.10: resources only, and it is required.
GET_SCHEMA_1_10: dict = {
    "type": "object",
    "properties": {
        "resources": {"type": "string"},
    },
    "required": ["resources"],
    "additionalProperties": False,
}

# 1.16: limit (a positive integer, as a string).
GET_SCHEMA_1_16 = copy.deepcopy(GET_SCHEMA_1_10)
GET_SCHEMA_1_16["properties"]["limit"] = {
    "type": ["integer", "string"],
    "pattern": "^[1-9][0-9]*$",
    "minimum": 1,
    "minLength": 1,
}

# 1.17: required (traits).
GET_SCHEMA_1_17 = copy.deepcopy(GET_SCHEMA_1_16)
GET_SCHEMA_1_17["properties"]["required"] = {"type": ["string"]}

# 1.21: member_of.
GET_SCHEMA_1_21 = copy.deepcopy(GET_SCHEMA_1_17)
GET_SCHEMA_1_21["properties"]["member_of"] = {"type": ["string"]}

# 1.25: granular groups replace resources/required/member_of with suffixed
# pattern keys (resources is no longer required); group_policy added.
GET_SCHEMA_1_25 = copy.deepcopy(GET_SCHEMA_1_21)
del GET_SCHEMA_1_25["properties"]["resources"]
del GET_SCHEMA_1_25["required"]
del GET_SCHEMA_1_25["properties"]["required"]
del GET_SCHEMA_1_25["properties"]["member_of"]
GET_SCHEMA_1_25["patternProperties"] = {
    _GROUP_KEY % "resources": {"type": "string"},
    _GROUP_KEY % "required": {"type": "string"},
    _GROUP_KEY % "member_of": {"type": "string"},
}
GET_SCHEMA_1_25["properties"]["group_policy"] = {
    "type": "string",
    "enum": ["none", "isolate"],
}

# 1.31: in_tree and in_treeN.
GET_SCHEMA_1_31 = copy.deepcopy(GET_SCHEMA_1_25)
GET_SCHEMA_1_31["patternProperties"][_GROUP_KEY % "in_tree"] = {"type": "string"}

# 1.33: free-form suffixes for every group key.
GET_SCHEMA_1_33 = copy.deepcopy(GET_SCHEMA_1_31)
GET_SCHEMA_1_33["patternProperties"] = {
    _GROUP_KEY_1_33 % key: {"type": "string"}
    for key in ("resources", "required", "member_of", "in_tree")
}

# 1.35: root_required.
GET_SCHEMA_1_35 = copy.deepcopy(GET_SCHEMA_1_33)
GET_SCHEMA_1_35["properties"]["root_required"] = {"type": ["string"]}

# 1.36: same_subtree.
GET_SCHEMA_1_36 = copy.deepcopy(GET_SCHEMA_1_35)
GET_SCHEMA_1_36["properties"]["same_subtree"] = {"type": ["string"]}

# --- by version (read by the handlers and tools/gen_openapi.py) ------------------------

GET_SCHEMAS = (
    (mv.ALLOCATION_CANDIDATES, GET_SCHEMA_1_10),
    (mv.CANDIDATES_LIMIT, GET_SCHEMA_1_16),
    (mv.CANDIDATES_TRAITS, GET_SCHEMA_1_17),
    (mv.CANDIDATES_MEMBER_OF, GET_SCHEMA_1_21),
    (mv.GRANULAR_GROUPS, GET_SCHEMA_1_25),
    (mv.CANDIDATES_IN_TREE, GET_SCHEMA_1_31),
    (mv.VERBOSE_SUFFIXES, GET_SCHEMA_1_33),
    (mv.ROOT_REQUIRED, GET_SCHEMA_1_35),
    (mv.SAME_SUBTREE, GET_SCHEMA_1_36),
)
