"""Features a client would otherwise probe for, by the microversion that brought them.

Placement's microversion history (``../shared/placement-spec.md`` §microversions)
as data: a feature is available on a cloud from ``since`` up to the cloud's maximum.
"""

from __future__ import annotations

__all__ = ["FEATURES"]

#: service type -> (name, since, what it gives a client)
FEATURES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "placement": (
        ("aggregates", "1.1", "provider aggregates"),
        ("custom-resource-classes", "1.2", "/resource_classes CRUD"),
        ("member-of-filter", "1.3", "member_of on GET /resource_providers"),
        ("traits", "1.6", "/traits and provider traits"),
        ("usages-by-project", "1.9", "GET /usages?project_id="),
        ("allocation-candidates", "1.10", "GET /allocation_candidates"),
        ("multi-consumer-allocations", "1.13", "POST /allocations"),
        ("nested-providers", "1.14", "parent and root provider, in_tree"),
        ("cache-headers", "1.15", "Last-Modified and Cache-Control"),
        ("forbidden-traits", "1.22", "!TRAIT in required"),
        ("error-codes", "1.23", "code in error bodies"),
        ("granular-groups", "1.25", "resourcesN, requiredN, group_policy"),
        ("consumer-generations", "1.28", "consumer_generation on allocations"),
        ("nested-allocation-candidates", "1.29", "candidates spanning a provider tree"),
        ("reshaper", "1.30", "POST /reshaper"),
        ("forbidden-aggregates", "1.32", "member_of=!uuid"),
        ("allocation-mappings", "1.34", "mappings in allocation requests"),
        ("root-required", "1.35", "root_required on candidates"),
        ("same-subtree", "1.36", "same_subtree on candidates"),
        ("reparenting", "1.37", "re-parent or un-parent a provider"),
        ("consumer-types", "1.38", "consumer_type on allocations and usages"),
        ("any-traits", "1.39", "required=in:T1,T2"),
    ),
}
