"""Catalog rules checked only by live probe scenarios (``interopcheck check``).

These are declared here for their metadata (id, severity, description, guideline link), so
every rule id a report shows is in one registry; the probes in ``interopcheck.check`` build
the violations themselves (they need several requests), so the rules have no target kinds.
"""

from __future__ import annotations

from collections.abc import Iterator

from interopcheck.rules.registry import RuleContext, Violation, rule
from interopcheck.rules.targets import Target

#: id -> (level, guideline, description)
PROBES = {
    "MV004": ("MUST", "microversion#client-interaction",
              "A header for another service means the minimum version"),
    "MV005": ("MUST", "microversion#client-interaction",
              "An in-range version is honoured exactly"),
    "MV009": ("MUST", "microversion#client-interaction",
              "'latest' means the maximum version (echoed as X.Y)"),
    "MV012": ("MUST", "microversion#client-interaction",
              "Several or comma-joined version headers: the service picks its own"),
    "VD002": ("MUST", "discoverability", "Version discovery documents need no authentication"),
}


def _probe_only(ctx: RuleContext, target: Target) -> Iterator[Violation]:
    yield from ()


for _id, (_level, _guideline, _description) in PROBES.items():
    rule(_id, level=_level, guideline=_guideline, description=_description, given=(),
         modes=("live",))(_probe_only)
