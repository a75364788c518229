"""Profiles: placement.yaml is valid; broken profiles give errors naming file, scenario, key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from interopcheck.microversion import parse
from interopcheck.profile import (
    UNSET,
    MicroversionMode,
    ProfileError,
    Section,
    load_profile,
)
from interopcheck.profile.loader import profile_from_document

GOOD = textwrap.dedent("""\
    profile: tiny
    service: {type: placement, version_header: OpenStack-API-Version}
    discovery: {GET: /, min_version: body.versions.0.min_version,
                max_version: body.versions.0.max_version}
    scenarios:
    - name: one
      versions: "1.2-1.6, 1.20"
      setup:
      - {POST: /resource_providers, body: {name: $name(rp)}, capture: {u: body.uuid}}
      calls:
      - {GET: /resource_providers/$var(u)}
      - {GET: /resource_providers/$var(u)}
      - {name: pinned, GET: /, microversion: "1.14", versions: "1.20"}
      - {name: bare, GET: /, microversion: null}
      teardown:
      - {DELETE: /resource_providers/$var(u)}
    """)


def _load(tmp_path: Path, text: str, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load_profile(str(path))


def _errors(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as info:
        _load(tmp_path, text)
    return str(info.value)


def test_placement_profile_is_valid() -> None:
    profile = load_profile("placement")
    assert profile.service_type == "placement"
    assert profile.version_header == "OpenStack-API-Version"
    assert len(profile.scenarios) >= 20
    for scenario in profile.scenarios:
        assert scenario.calls, scenario.name


def test_placement_profile_covers_every_route() -> None:
    """Every (path, method) of Placement's route table is called by some scenario."""
    from refcloud.placement.routes import ROUTES

    profile = load_profile("placement")
    called = set()
    for scenario in profile.scenarios:
        for step in scenario.calls:
            path = step.url.split("?", 1)[0]
            called.add((step.method, _template(path)))
    for route, methods in ROUTES.items():
        if not route:
            continue
        for method in methods:
            assert (method, route) in called, f"no scenario calls {method} {route}"


def _template(path: str) -> str:
    parts = path.split("/")
    out = []
    for i, part in enumerate(parts):
        prev = parts[i - 1] if i else ""
        if part.startswith("$uuid(") or part.startswith("$hex(") or part == "random_sauce" \
                or part == "not-a-uuid":
            out.append("{consumer_uuid}" if prev == "allocations" else "{uuid}")
        elif prev == "inventories" and part:
            out.append("{resource_class}")
        elif prev in ("resource_classes", "traits") and part:
            out.append("{name}")
        else:
            out.append(part)
    return "/".join(out)


def test_a_good_profile_builds_the_model(tmp_path: Path) -> None:
    profile = _load(tmp_path, GOOD)
    scenario = profile.scenario("one")
    assert parse("1.4") in scenario.versions and parse("1.7") not in scenario.versions
    setup, = scenario.setup
    assert setup.section is Section.SETUP and setup.body == {"name": "$name(rp)"}
    names = [c.name for c in scenario.calls]
    assert names == ["GET /resource_providers/$var(u)", "GET /resource_providers/$var(u) #2",
                     "pinned", "bare"]
    assert scenario.calls[0].body is UNSET
    assert scenario.calls[2].mv_mode is MicroversionMode.FIXED
    assert scenario.calls[3].mv_mode is MicroversionMode.NONE
    assert profile.version_value(parse("1.20")) == "placement 1.20"


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d["scenarios"][0]["calls"][0].update(bodyy={}),
     "p.yaml: scenario 'one' calls[0] (GET /resource_providers/$var(u)): unknown key 'bodyy'"),
    (lambda d: d["scenarios"][0].update(versions=1.20),
     "scenario 'one' key versions: 1.2 is a number: quote versions"),
    (lambda d: d["scenarios"][0]["calls"][2].update(microversion=1.14),
     "scenario 'one' calls[2] 'pinned' key microversion: 1.14 is a number"),
    (lambda d: d["scenarios"][0].pop("calls"),
     "scenario 'one': 'calls' is missing"),
    (lambda d: d["scenarios"][0].update(name="Bad Name"),
     "key name: 'Bad Name' is not valid: expected lower-case letters"),
    (lambda d: d["scenarios"][0]["setup"][0].update(capture={"u": "json.uuid"}),
     "scenario 'one' setup[0] (POST /resource_providers) key capture.u: 'json.uuid' is not "
     "valid: expected body"),
    (lambda d: d["scenarios"][0]["calls"][0].update(PUT="/x"),
     "give one 'METHOD: url' or 'method' + 'url', not both or several"),
    (lambda d: d["scenarios"][0]["calls"][0].update(method="GET", url="/x"),
     "give one 'METHOD: url' or 'method' + 'url', not both or several"),
    (lambda d: d["scenarios"][0]["calls"].append({"name": "no request"}),
     "calls[4] 'no request': missing the request"),
    (lambda d: d["scenarios"][0]["setup"][0].update(compare=False),
     "scenario 'one' setup[0] (POST /resource_providers) key compare: only calls are compared"),
    (lambda d: d["scenarios"][0]["calls"][1].update(GET="/$var(nope)"),
     "uses $var(nope) but no earlier step captures 'nope'"),
    (lambda d: d["scenarios"][0]["calls"][1].update(GET="/$guid(x)"),
     "unknown template $guid(...)"),
    (lambda d: d["scenarios"][0]["calls"][2].update(versions="1.30"),
     "never overlaps the scenario's versions"),
    (lambda d: d["scenarios"].append(dict(d["scenarios"][0])),
     "scenario 'one': another scenario has this name"),
    (lambda d: d.pop("discovery"), "top level: 'discovery' is missing"),
])
def test_broken_profiles_are_refused_clearly(tmp_path: Path, change, expected: str) -> None:
    document = yaml.safe_load(GOOD)
    change(document)
    text = yaml.safe_dump(document, sort_keys=False)
    assert expected in _errors(tmp_path, text)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    document = yaml.safe_load(GOOD)
    document["scenarios"][0]["calls"][0]["bodyy"] = {}
    document["scenarios"][0]["teardown"][0]["statuss"] = 404
    with pytest.raises(ProfileError) as info:
        profile_from_document(document, tmp_path / "p.yaml")
    assert len(info.value.problems) == 2
    assert all(p.startswith(str(tmp_path / "p.yaml")) for p in info.value.problems)


def test_invalid_yaml_and_missing_files(tmp_path: Path) -> None:
    assert "p.yaml: line 3: not valid YAML" in _errors(tmp_path, "profile: x\nservice: {\n")
    assert "p.yaml: top level: [1, 2] is not of type 'object'" in _errors(tmp_path, "[1, 2]\n")
    with pytest.raises(ProfileError, match="profile 'nosuch' not found"):
        load_profile("nosuch")
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(str(tmp_path / "missing.yaml"))
