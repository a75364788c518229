"""Baselines: accepted findings by key, wildcards and version ranges; writing and updating."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from interopcheck.baseline import Accepted, Baseline, BaselineError
from interopcheck.findings import Finding, classify


def finding(mv: str = "1.20", path: str = "$.description", call: str = "show") -> Finding:
    v = classify("body-shape", path, "(absent)", "str")
    return Finding(scenario="provider-lifecycle", call=call, method="GET", url="/x",
                   microversion=mv, kind="body-shape", path=path, a="(absent)", b="str",
                   rule=v.rule, breaks_clients=v.breaks_clients,
                   needs_version_bump=v.needs_version_bump, severity=v.severity,
                   summary=v.summary)


def test_write_then_accept(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    found = [finding("1.20"), finding("1.21")]
    assert Baseline().write(path, found, "placement") == 0
    document = json.loads(path.read_text())
    assert document["interopcheck_baseline"] == 1
    assert [e["key"] for e in document["accepted"]] == [f.key for f in found]
    baseline = Baseline.load(path)
    kept, accepted = baseline.split([*found, finding("1.22")])
    assert [f.microversion for f in accepted] == ["1.20", "1.21"]
    assert [f.microversion for f in kept] == ["1.22"]


def test_wildcards_and_ranges(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(
        "accepted:\n"
        "- {scenario: provider-lifecycle, call: '*', microversion: '1.20-', kind: body-shape,\n"
        "   path: $.description, reason: vendor field}\n"
        "- {key: 'provider-lifecycle|show|1.0|body-shape|$.x'}\n")
    baseline = Baseline.load(path)
    assert baseline.match(finding("1.39", call="list")) is not None
    assert baseline.match(finding("1.19")) is None
    assert baseline.match(finding("1.0", path="$.x")) is not None


def test_update_keeps_reasons_and_drops_what_no_longer_occurs(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    old = Baseline((Accepted.of(finding("1.20"), reason="known"),
                    Accepted.of(finding("1.21"))))
    document, dropped = old.written([finding("1.20"), finding("1.30")], "placement")
    assert dropped == 1
    by_version = {e["microversion"]: e for e in document["accepted"]}
    assert by_version["1.20"]["reason"] == "known"
    assert set(by_version) == {"1.20", "1.30"}
    old.write(path, [finding("1.20")], "placement")
    assert Baseline.load(path).entries[0].reason == "known"


@pytest.mark.parametrize(("text", "message"), [
    ("[1, 2]", "expected an object with an 'accepted' list"),
    ("accepted: [3]", "accepted[0]: expected an object"),
    ("accepted: [{reason: x}]", "accepted[0]: give a key or some of"),
    ("accepted: [{kind: 3}]", "accepted[0]: kind must be a string"),
    ("{", "not a JSON or YAML baseline file"),
])
def test_bad_baselines(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(BaselineError, match=re.escape(message)):
        Baseline.load(path)
    with pytest.raises(BaselineError, match="cannot read"):
        Baseline.load(tmp_path / "missing.json")
