"""Every rule of the catalog has a violating and a conforming case, in every mode it runs in.

The cases live in three tables: ``STATIC`` (an OpenAPI document per side, linted with only
that rule), ``LIVE`` (one live target per side) and ``PROBE_CASES`` (a small service that
breaks one negotiation rule, checked by the probes; the conforming service breaks none).
"""

from __future__ import annotations

from interopcheck.rules import REGISTRY
from interopcheck.rules.probes import PROBES
from tests.unit.rules.test_live_rules import LIVE
from tests.unit.rules.test_probe_rules import PROBE_CASES
from tests.unit.rules.test_rules import STATIC


def test_catalog_size() -> None:
    assert len(REGISTRY) >= 90


def test_every_rule_has_a_case() -> None:
    missing = [r.id for r in REGISTRY
               if r.id not in STATIC and r.id not in LIVE and r.id not in PROBE_CASES]
    assert missing == []


def test_every_static_rule_has_a_document_case() -> None:
    assert [r.id for r in REGISTRY if "static" in r.modes and r.id not in STATIC] == []


def test_every_live_rule_has_a_live_case() -> None:
    assert [r.id for r in REGISTRY
            if "live" in r.modes and r.id not in LIVE and r.id not in PROBE_CASES] == []


def test_probe_only_rules_have_probe_cases() -> None:
    assert set(PROBES) <= set(PROBE_CASES)


def test_tables_name_only_catalog_rules() -> None:
    for table in (STATIC, LIVE, PROBE_CASES):
        assert [rule_id for rule_id in table if rule_id not in REGISTRY] == []


def test_each_case_has_two_different_sides() -> None:
    for table in (STATIC, LIVE):
        for rule_id, (bad, good) in table.items():
            assert bad != good, rule_id
