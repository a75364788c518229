from __future__ import annotations

from collections.abc import Iterator

import pytest

from interopcheck.findings import Severity
from interopcheck.rules import REGISTRY
from interopcheck.rules.registry import Registry, RuleContext, Violation, rule
from interopcheck.rules.targets import ErrorBody, Target


def test_duplicate_ids_are_rejected() -> None:
    reg = Registry()

    @rule("X001", level="MUST", description="d", guideline="errors", given=ErrorBody,
          registry=reg)
    def first(ctx: RuleContext, t: ErrorBody) -> Iterator[Violation]:
        yield from ()

    with pytest.raises(ValueError, match="X001 is already registered"):
        @rule("X001", level="MUST", description="d", guideline="errors", given=ErrorBody,
              registry=reg)
        def second(ctx: RuleContext, t: ErrorBody) -> Iterator[Violation]:
            yield from ()


def test_metadata_and_links() -> None:
    r = REGISTRY.get("ERR002")
    assert r.severity is Severity.ERROR and r.level.value == "MUST"
    assert r.url.startswith("https://specs.openstack.org/openstack/api-sig/guidelines/errors")
    assert r.modes == {"static", "live"}  # one rule object, both modes
    assert REGISTRY.get("NAME004").severity is Severity.WARNING
    assert REGISTRY.get("MV001").modes == {"static"}
    assert REGISTRY.get("VD006").modes == {"live"}


def test_every_rule_has_catalog_metadata() -> None:
    for r in REGISTRY:
        assert r.description and r.guideline
        assert r.given or "live" in r.modes  # probe-only rules have no target kinds
        assert r.id.rstrip("0123456789") in {"MV", "VD", "ERR", "HTTP", "CACHE", "HDR", "NAME",
                                             "URI", "RES", "LINK", "PAGE", "TIME", "TAG",
                                             "META", "ETAG", "INTEROP", "DOC", "ACT",
                                             "OAS"}
        assert all(isinstance(k, type) and issubclass(k, Target) for k in r.given)


def test_each_target_kind_gets_its_own_implementation() -> None:
    from interopcheck.rules.targets import Exchange, Schema

    r = REGISTRY.get("NAME004")  # a static half and a live half (``also``)
    static, live = r.fn_for(Schema), r.fn_for(Exchange)
    assert static is not None and live is not None and static is not live
    assert r.fn_for(ErrorBody) is None
