"""GET /allocation_candidates: refcloud must find the same candidate sets as real Placement.

``test_candidates[<dataset>/<step>]`` replays the scenarios of ``candidates/queries.yaml``
(datasets of ``candidates/datasets.yaml``, each on its own fresh SQLite file) against an
in-process refcloud and compares every step with the recording made from real Placement
(``recorded-candidates/<dataset>.json``, written by ``record_candidates.py``): the same
candidate sets (order-insensitive), the same provider summaries (providers, capacity/used,
traits, parents and roots) and the same shapes, statuses and error codes. ``limit`` steps
compare the count and check that every candidate belongs to the unlimited answer and that
the summaries are those of the trees used. Claim steps claim the same (canonically first)
candidate on both sides and compare the outcome.

Each dataset is loaded and replayed once per module (the perfload datasets through refcloud's
storage layer, see ``candidates_runner.load_storage``; the small ones over the API).

``test_candidates_live[<dataset>]`` (marker ``live``, run with ``-m live``) loads each dataset
on a fresh real Placement and on refcloud and compares the two live runs step by step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import refcloud

from tests.golden import candidates_runner as cr
from tests.support.placement_instance import PlacementInstance, PlacementStartError

SCENARIOS = cr.load_scenarios()
STEPS = [(sc, step) for sc in SCENARIOS for step in sc.steps]
REPLAYED = ("recorded real Placement", "refcloud")
LIVE = ("live real Placement", "refcloud")


def refcloud_client(db_path: Path) -> httpx.Client:
    app = refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{db_path}"))
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://refcloud",
                        timeout=600.0)


def load_refcloud(client: httpx.Client, dataset: cr.Dataset) -> None:
    """Small datasets over the API; the perfload datasets through the storage layer (fast)."""
    if dataset.generator is None:
        cr.load_http(client, dataset)
    else:
        app = client._transport.app  # type: ignore[attr-defined]
        cr.load_storage(app.db, dataset)


def run_refcloud(scenario: cr.Scenario, db_path: Path) -> dict[str, cr.Answer]:
    with refcloud_client(db_path) as client:
        load_refcloud(client, scenario.dataset)
        return cr.run_scenario(client, scenario)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Callable[[cr.Scenario], dict[str, cr.Answer]]]:
    """scenario -> refcloud's answers (loaded and run once per dataset)."""
    cache: dict[str, dict[str, cr.Answer]] = {}
    timings: dict[str, float] = {}

    def get(scenario: cr.Scenario) -> dict[str, cr.Answer]:
        name = scenario.dataset.name
        if name not in cache:
            started = time.monotonic()
            db = tmp_path_factory.mktemp(f"candidates-{name}") / "refcloud.db"
            cache[name] = run_refcloud(scenario, db)
            timings[name] = time.monotonic() - started
        return cache[name]

    yield get
    if timings:
        print("\nallocation candidates replay: " + ", ".join(
            f"{name} {seconds:.1f}s" for name, seconds in timings.items()))


@pytest.fixture(scope="module")
def recorded() -> Callable[[cr.Scenario], dict[str, cr.Answer]]:
    cache: dict[str, dict[str, cr.Answer]] = {}

    def get(scenario: cr.Scenario) -> dict[str, cr.Answer]:
        if scenario.dataset.name not in cache:
            cache[scenario.dataset.name] = cr.load_recording(scenario)
        return cache[scenario.dataset.name]

    return get


@pytest.mark.parametrize(("scenario", "step"), STEPS, ids=[step.id for _sc, step in STEPS])
def test_candidates(scenario: cr.Scenario, step: cr.Step, recorded: Callable,
                    replayed: Callable) -> None:
    try:
        expected = recorded(scenario)
    except cr.RecordingError as exc:
        pytest.fail(str(exc), pytrace=False)
    actual = replayed(scenario)
    diffs = cr.compare_step(scenario, step, expected[step.name], actual[step.name], expected,
                            REPLAYED)
    if diffs:
        pytest.fail(cr.report(step, diffs, REPLAYED), pytrace=False)


def test_coverage() -> None:
    """What the issue asks for: >= 40 queries over >= 8 microversions, including these."""
    info = cr.describe(SCENARIOS)
    assert info["queries"] >= 40
    wanted = {"1.10", "1.12", "1.17", "1.21", "1.25", "1.29", "1.33", "1.35", "1.36", "1.39"}
    assert wanted <= set(info["microversions"]), sorted(wanted - set(info["microversions"]))
    assert info["errors"] >= 3
    names = {sc.dataset.name for sc in SCENARIOS}
    assert {"perfload-flat", "perfload-nested"} <= names
    perfload = {sc.dataset.name: sc.dataset for sc in SCENARIOS}
    assert len(perfload["perfload-flat"].providers) == 1010
    assert len(perfload["perfload-nested"].providers) == 7000


def test_storage_loader_matches_api(tmp_path: Path) -> None:
    """The fast storage-layer loader leaves what the API loader leaves (small dataset)."""
    dataset = cr.load_datasets()["numa-trees"]
    views = []
    for how in ("http", "storage"):
        with refcloud_client(tmp_path / f"{how}.db") as client:
            if how == "http":
                cr.load_http(client, dataset)
            else:
                cr.load_storage(client._transport.app.db, dataset)  # type: ignore[attr-defined]
            h = cr.headers()
            view = []
            for p in dataset.providers:
                base = f"/resource_providers/{p.uuid}"
                rp = client.get(base, headers=h).json()
                rp.pop("links", None)
                view.append((
                    rp,
                    client.get(f"{base}/inventories", headers=h).json(),
                    client.get(f"{base}/traits", headers=h).json(),
                    sorted(client.get(f"{base}/aggregates", headers=h).json()["aggregates"]),
                ))
            views.append(view)
    assert views[0] == views[1]


def test_pack_round_trip() -> None:
    trees = ["0000", "0001", "0002"]
    lines = sorted(["a#0000:X=1", "b#0000:X=1", "a#0001:X=1", "b#0001:X=1", "a#0002:X=2",
                    "plain:X=1", "mixed#0000 other#0001"])
    doc = cr.pack(lines, trees)
    assert cr.unpack(doc, trees) == lines
    assert doc["per_tree"][0] == {"lines": ["a#*:X=1", "b#*:X=1"], "trees": "others",
                                  "tree_count": 2}


# ---- live: a fresh real Placement per dataset ------------------------------------------------


@pytest.fixture(scope="module")
def placement() -> Iterator[PlacementInstance]:
    instance = PlacementInstance()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.mark.live
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[sc.dataset.name for sc in SCENARIOS])
def test_candidates_live(scenario: cr.Scenario, placement: PlacementInstance,
                         tmp_path: Path) -> None:
    try:
        placement.start(fresh=True)
    except PlacementStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    with httpx.Client(base_url=placement.url, timeout=600.0) as client:
        cr.load_http(client, scenario.dataset)
        expected = cr.run_scenario(client, scenario)
    actual = run_refcloud(scenario, tmp_path / "refcloud.db")
    failures = []
    for step in scenario.steps:
        diffs = cr.compare_step(scenario, step, expected[step.name], actual[step.name],
                                expected, LIVE)
        if diffs:
            failures.append(cr.report(step, diffs, LIVE))
    if failures:
        pytest.fail(f"{len(failures)} of {len(scenario.steps)} steps differ:\n"
                    + "\n".join(failures), pytrace=False)
