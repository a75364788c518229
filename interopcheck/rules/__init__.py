"""The API-SIG rule catalog in code. Importing this package registers every rule.

``REGISTRY`` holds one :class:`~interopcheck.rules.registry.Rule` per catalog id
(``../shared/apisig-rules.md``); the same rule object serves ``interopcheck lint`` (static
targets from OpenAPI) and ``interopcheck check`` (live targets from exchanges).
"""

from __future__ import annotations

from interopcheck.rules import (  # noqa: F401  (imported for their @rule registrations)
    actions,
    collections,
    discovery,
    document,
    errors,
    headers,
    http,
    microversion,
    naming,
    probes,
    representation,
    single_resource,
    subresources,
)
from interopcheck.rules.evaluate import evaluate
from interopcheck.rules.registry import REGISTRY, Rule, RuleContext, Severity, Violation, rule

__all__ = ["REGISTRY", "Rule", "RuleContext", "Severity", "Violation", "evaluate", "rule"]
