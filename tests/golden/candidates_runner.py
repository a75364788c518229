"""Differential tests of GET /allocation_candidates: datasets, queries, canonical forms.

``candidates/datasets.yaml`` declares small named datasets (and two generated ones, the
perfload datasets of the spec digest §6); ``candidates/queries.yaml`` lists, per dataset, the
query and claim steps run in order on a database holding only that dataset.

Answers are compared in a *canonical* form that does not depend on order or on uuids:

* provider uuids become the dataset's provider names (``cn1``, ``numa1#0042``), aggregate
  uuids their symbols;
* ``allocation_requests`` become a sorted list of lines, one per candidate:
  ``cn1:VCPU=1 ss1:DISK_GB=100 || ''=cn1,ss1 _NET=pf0`` (allocations per provider, then the
  1.34 mappings when present), plus the form (``list`` below 1.12, ``dict`` from 1.12) and the
  key sets of the candidates;
* ``provider_summaries`` become a sorted list of lines, one per provider:
  ``numa1 parent=cn1 root=cn1 | MEMORY_MB=4096/0 VCPU=8/1 | HW_NUMA_ROOT`` (capacity/used),
  plus the key sets of the summaries and of their resource entries;
* an error answer becomes its status, error code and detail (whitespace collapsed).

Recordings (``recorded-candidates/<dataset>.json``) store these lines. Lines of the perfload
datasets, whose provider names end in ``#<tree>``, are stored per tree: trees with the same
lines (tree number written ``#*``) form one group, and only the tree numbers of the smaller
groups are listed, so a recording of 2,000 candidates over 1,000 trees stays a few lines long
and still expands to the exact set (``pack`` / ``unpack``).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid as uuidlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "candidates"
DATASETS_FILE = DATA_DIR / "datasets.yaml"
QUERIES_FILE = DATA_DIR / "queries.yaml"
RECORDED_DIR = HERE / "recorded-candidates"

ADMIN_TOKEN = "admin"
LOAD_MICROVERSION = "1.39"
NAMESPACE = uuidlib.UUID("6f1d3b52-4c1e-4c7a-9a51-7e0c0f7f2b10")
PROJECT = "6f1d3b52-0000-4000-8000-00000000beef"
USER = "6f1d3b52-0000-4000-8000-00000000face"
SHARING_TRAIT = "MISC_SHARES_VIA_AGGREGATE"
_SUBST = re.compile(r"\$(rp|agg)\(([A-Za-z0-9_#.-]+)\)")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TREE = re.compile(r"#(\d{4})\b")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


class FormatError(ValueError):
    """datasets.yaml or queries.yaml is malformed."""


# ---- datasets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    name: str
    uuid: str
    parent: str | None = None  # name
    inventories: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    traits: tuple[str, ...] = ()
    aggregates: tuple[str, ...] = ()  # symbols


@dataclass
class Dataset:
    name: str
    description: str
    providers: list[Provider]
    aggregates: dict[str, str]  # symbol -> uuid
    custom_traits: list[str] = field(default_factory=list)
    custom_resource_classes: list[str] = field(default_factory=list)
    generator: str | None = None

    def __post_init__(self) -> None:
        self.by_name = {p.name: p for p in self.providers}
        self.symbols: dict[str, str] = {p.uuid: p.name for p in self.providers}
        self.symbols.update({u: f"agg:{s}" for s, u in self.aggregates.items()})
        self.root_of: dict[str, str] = {}
        for p in self.providers:
            self.root_of[p.name] = self.root_of[p.parent] if p.parent else p.name
        self.trees = sorted({m.group(1) for p in self.providers
                             for m in [_TREE.search(p.name)] if m})

    def uuid(self, kind: str, name: str) -> str:
        if kind == "rp":
            if name not in self.by_name:
                raise FormatError(f"dataset {self.name}: no provider {name!r}")
            return self.by_name[name].uuid
        if name not in self.aggregates:
            self.aggregates[name] = derived_uuid(self.name, f"aggregate:{name}")
            self.symbols[self.aggregates[name]] = f"agg:{name}"
        return self.aggregates[name]

    def substitute(self, text: str) -> str:
        return _SUBST.sub(lambda m: self.uuid(m.group(1), m.group(2)), text)

    def symbol(self, uuid: str) -> str:
        return self.symbols.get(uuid, f"?{uuid}")

    def symbolise_text(self, text: str) -> str:
        return _UUID.sub(lambda m: self.symbols.get(m.group(0), m.group(0)), text)


def derived_uuid(dataset: str, name: str) -> str:
    return str(uuidlib.uuid5(NAMESPACE, f"{dataset}/{name}"))


def _perfload_flat(ds: str, aggregates: dict[str, str]) -> list[Provider]:
    """placeload 0.3.0 run twice (10, then 1,000): the position in its run picks the sets."""
    inventory = {
        "MEMORY_MB": {"total": 8192, "min_unit": 128, "max_unit": 8192},
        "DISK_GB": {"total": 8192, "min_unit": 5, "max_unit": 8192},
        "VCPU": {"total": 32, "min_unit": 1, "max_unit": 16},
    }
    agg_sets = (("A",), ("A", "B"), ("A", "B", "C"))
    trait_sets = (
        ("HW_CPU_X86_AVX2",),
        ("HW_CPU_X86_AVX2", "HW_CPU_X86_SSE2"),
        ("HW_CPU_X86_AVX2", "HW_CPU_X86_SSE2", "STORAGE_DISK_SSD"),
    )
    for symbol in ("A", "B", "C"):
        if symbol not in aggregates:
            raise FormatError(f"dataset {ds}: perfload-flat needs aggregates A, B and C")
    out = []
    number = 0
    for run in (10, 1000):
        for index in range(run):
            name = f"rp#{number:04d}"
            out.append(Provider(name, derived_uuid(ds, name), None, inventory,
                                trait_sets[index % 3], agg_sets[index % 3]))
            number += 1
    return out


#: role, parent role, inventories, traits (gate/gabbits/nested-perfload.yaml, in its order)
_NESTED_TREE: tuple[tuple[str, str | None, dict, tuple[str, ...]], ...] = (
    ("cn1", None, {"DISK_GB": {"total": 20480}}, ("COMPUTE_VOLUME_MULTI_ATTACH",)),
    ("numa0", "cn1", {"VCPU": {"total": 4, "reserved": 2},
                      "MEMORY_MB": {"total": 2048, "min_unit": 512, "step_size": 256}},
     ("HW_NUMA_ROOT",)),
    ("fpga0_0", "numa0", {"FPGA": {"total": 1}}, ()),
    ("pgpu0_0", "numa0", {"VGPU": {"total": 8}}, ()),
    ("numa1", "cn1", {"VCPU": {"total": 4},
                      "MEMORY_MB": {"total": 2048, "min_unit": 256, "max_unit": 1024}},
     ("HW_NUMA_ROOT", "CUSTOM_FOO")),
    ("fpga1_0", "numa1", {"FPGA": {"total": 1}}, ()),
    ("fpga1_1", "numa1", {"FPGA": {"total": 1}}, ()),
)


def _perfload_nested(ds: str, trees: int = 1000) -> list[Provider]:
    out = []
    for tree in range(trees):
        for role, parent, inventories, traits in _NESTED_TREE:
            name = f"{role}#{tree:04d}"
            out.append(Provider(name, derived_uuid(ds, name),
                                f"{parent}#{tree:04d}" if parent else None, inventories, traits))
    return out


def _parse_dataset(name: str, raw: Any) -> Dataset:
    where = f"{DATASETS_FILE.name}: dataset {name!r}"
    if not isinstance(raw, dict) or not _NAME.match(name):
        raise FormatError(f"{where}: a mapping with a lower-case name")
    unknown = set(raw) - {"description", "providers", "aggregates", "custom_traits",
                          "custom_resource_classes", "generator", "trees"}
    if unknown:
        raise FormatError(f"{where}: unknown keys {sorted(unknown)}")
    aggregates = {str(k): str(v) for k, v in (raw.get("aggregates") or {}).items()}
    generator = raw.get("generator")
    custom_traits = list(raw.get("custom_traits") or [])
    if generator == "perfload-flat":
        providers = _perfload_flat(name, aggregates)
    elif generator == "perfload-nested":
        providers = _perfload_nested(name, int(raw.get("trees", 1000)))
        custom_traits = sorted({*custom_traits, "CUSTOM_FOO"})
    elif generator is not None:
        raise FormatError(f"{where}: unknown generator {generator!r}")
    else:
        providers = []
        seen: set[str] = set()
        for i, p in enumerate(raw.get("providers") or []):
            if not isinstance(p, dict) or not isinstance(p.get("name"), str):
                raise FormatError(f"{where}: provider #{i} needs a name")
            extra = set(p) - {"name", "parent", "inventories", "traits", "aggregates"}
            if extra:
                raise FormatError(f"{where}: provider {p['name']}: unknown keys {sorted(extra)}")
            if p["name"] in seen or "#" in p["name"]:
                raise FormatError(f"{where}: provider name {p['name']!r} repeated or has '#'")
            if p.get("parent") is not None and p["parent"] not in seen:
                raise FormatError(f"{where}: {p['name']}: parent must be listed before it")
            seen.add(p["name"])
            providers.append(Provider(
                p["name"], derived_uuid(name, p["name"]), p.get("parent"),
                dict(p.get("inventories") or {}), tuple(p.get("traits") or ()),
                tuple(p.get("aggregates") or ())))
        if not providers:
            raise FormatError(f"{where}: needs providers or a generator")
    for p in providers:
        for symbol in p.aggregates:
            aggregates.setdefault(symbol, derived_uuid(name, f"aggregate:{symbol}"))
    return Dataset(name, " ".join(str(raw.get("description", "")).split()), providers,
                   aggregates, custom_traits, list(raw.get("custom_resource_classes") or []),
                   generator)


def load_datasets(path: Path = DATASETS_FILE) -> dict[str, Dataset]:
    with path.open(encoding="utf-8") as f:
        document = yaml.safe_load(f)
    if not isinstance(document, dict) or not isinstance(document.get("datasets"), dict):
        raise FormatError(f"{path.name}: expected a mapping with a 'datasets' mapping")
    return {name: _parse_dataset(name, raw) for name, raw in document["datasets"].items()}


# ---- steps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    dataset: str
    index: int
    name: str
    kind: str  # "query" or "claim"
    microversion: str = ""
    query: str = ""
    status: int = 200
    count: int | None = None
    limit_of: str | None = None
    claim_of: str | None = None  # claim steps: the query step they run
    times: int = 1
    pick: int = 0
    quirk: str | None = None

    @property
    def id(self) -> str:
        return f"{self.dataset}/{self.name}"

    def label(self) -> str:
        if self.kind == "claim":
            return f"{self.name}: claim x{self.times} from {self.claim_of} (pick {self.pick})"
        return (f"{self.name}: GET /allocation_candidates?{self.query} "
                f"[placement {self.microversion}]")


@dataclass
class Scenario:
    dataset: Dataset
    steps: list[Step]
    digest: str


_QUERY_KEYS = {"name", "microversion", "query", "status", "count", "limit_of", "quirk"}
QUIRKS = ("sharing-anchor",)
_CLAIM_KEYS = {"name", "claim", "times", "pick"}


def _parse_steps(dataset: str, raws: Any) -> list[Step]:
    where = f"{QUERIES_FILE.name}: scenario {dataset!r}"
    if not isinstance(raws, list) or not raws:
        raise FormatError(f"{where}: a non-empty list of steps")
    steps: list[Step] = []
    by_name: dict[str, Step] = {}
    for i, raw in enumerate(raws):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise FormatError(f"{where}: step #{i} needs a name")
        name = raw["name"]
        if name in by_name or not _NAME.match(name):
            raise FormatError(f"{where}: step names are unique, lower-case ({name!r})")
        if "claim" in raw:
            extra = set(raw) - _CLAIM_KEYS
            target = by_name.get(raw["claim"])
            if extra or target is None or target.kind != "query":
                raise FormatError(f"{where}: {name}: claim names an earlier query step "
                                  f"(keys {sorted(_CLAIM_KEYS)})")
            step = Step(dataset, i, name, "claim", target.microversion, target.query,
                        claim_of=target.name, times=int(raw.get("times", 1)),
                        pick=int(raw.get("pick", 0)))
        else:
            extra = set(raw) - _QUERY_KEYS
            mv = raw.get("microversion")
            if extra or not isinstance(mv, str) or not isinstance(raw.get("query"), str):
                raise FormatError(f"{where}: {name}: needs a quoted microversion and a query "
                                  f"(keys {sorted(_QUERY_KEYS)})")
            limit_of = raw.get("limit_of")
            if limit_of is not None:
                base = by_name.get(limit_of)
                if base is None or base.kind != "query" or base.microversion != mv:
                    raise FormatError(f"{where}: {name}: limit_of names an earlier query "
                                      "step of the same microversion")
            quirk = raw.get("quirk")
            if quirk is not None and (quirk not in QUIRKS or limit_of):
                raise FormatError(f"{where}: {name}: quirk is one of {QUIRKS} (not with limit_of)")
            step = Step(dataset, i, name, "query", mv, raw["query"], int(raw.get("status", 200)),
                        raw.get("count"), limit_of, quirk=quirk)
        by_name[name] = step
        steps.append(step)
    return steps


def load_scenarios(datasets: dict[str, Dataset] | None = None,
                   path: Path = QUERIES_FILE) -> list[Scenario]:
    datasets = load_datasets() if datasets is None else datasets
    with path.open(encoding="utf-8") as f:
        document = yaml.safe_load(f)
    if not isinstance(document, dict) or not isinstance(document.get("scenarios"), dict):
        raise FormatError(f"{path.name}: expected a mapping with a 'scenarios' mapping")
    with DATASETS_FILE.open(encoding="utf-8") as f:
        raw_datasets = yaml.safe_load(f)["datasets"]
    out = []
    for name, raws in document["scenarios"].items():
        if name not in datasets:
            raise FormatError(f"{path.name}: scenario {name!r} has no dataset")
        raw_dataset = raw_datasets[name]
        digest = hashlib.sha256(json.dumps([raw_dataset, raws], sort_keys=True,
                                           default=str).encode()).hexdigest()[:16]
        out.append(Scenario(datasets[name], _parse_steps(name, raws), digest))
    return out


def describe(scenarios: list[Scenario]) -> dict[str, Any]:
    queries = [s for sc in scenarios for s in sc.steps if s.kind == "query"]
    versions = sorted({s.microversion for s in queries},
                      key=lambda v: tuple(int(p) for p in v.split(".")))
    return {"datasets": len(scenarios), "queries": len(queries),
            "errors": sum(1 for s in queries if s.status != 200),
            "claims": sum(s.times for sc in scenarios for s in sc.steps if s.kind == "claim"),
            "microversions": versions}


# ---- loading a dataset -----------------------------------------------------------------------


class LoadError(Exception):
    """A loading request got an unexpected answer."""


def headers(microversion: str = LOAD_MICROVERSION) -> dict[str, str]:
    return {"x-auth-token": ADMIN_TOKEN, "openstack-api-version": f"placement {microversion}",
            "accept": "application/json"}


def _call(client: httpx.Client, method: str, path: str, expect: tuple[int, ...],
          body: Any = None) -> httpx.Response:
    for attempt in range(5):
        try:
            resp = client.request(method, path, json=body, headers=headers())
            break
        except httpx.TransportError:  # gunicorn may close a kept-alive socket
            if attempt == 4:
                raise
    if resp.status_code not in expect:
        raise LoadError(f"{method} {path} -> {resp.status_code}: {resp.text[:300]}")
    return resp


def load_http(client: httpx.Client, dataset: Dataset,
              progress: Callable[[int, int], None] | None = None) -> None:
    """Create the dataset through the Placement API (any service)."""
    for name in dataset.custom_resource_classes:
        _call(client, "PUT", f"/resource_classes/{name}", (201, 204))
    for name in dataset.custom_traits:
        _call(client, "PUT", f"/traits/{name}", (201, 204))
    total = len(dataset.providers)
    for n, p in enumerate(dataset.providers, 1):
        body: dict[str, Any] = {"uuid": p.uuid, "name": p.name}
        if p.parent:
            body["parent_provider_uuid"] = dataset.by_name[p.parent].uuid
        _call(client, "POST", "/resource_providers", (200,), body)
        base = f"/resource_providers/{p.uuid}"
        generation = 0
        if p.inventories:
            resp = _call(client, "PUT", f"{base}/inventories", (200,),
                         {"resource_provider_generation": generation,
                          "inventories": p.inventories})
            generation = resp.json()["resource_provider_generation"]
        if p.aggregates:
            resp = _call(client, "PUT", f"{base}/aggregates", (200,),
                         {"resource_provider_generation": generation,
                          "aggregates": [dataset.aggregates[a] for a in p.aggregates]})
            generation = resp.json()["resource_provider_generation"]
        if p.traits:
            _call(client, "PUT", f"{base}/traits", (200,),
                  {"resource_provider_generation": generation, "traits": list(p.traits)})
        if progress is not None:
            progress(n, total)


def load_storage(db: Any, dataset: Dataset) -> None:
    """Create the dataset with refcloud's storage layer, in one write transaction.

    The same storage functions (and checks) the API handlers use, in the same order, with
    the same generation bumps: POST /resource_providers, PUT inventories, PUT aggregates
    (1.19), PUT traits -- only without one HTTP request and one transaction per call, which
    makes the 8,010 perfload providers load in seconds instead of a minute.
    """
    import dataclasses

    from refcloud.storage import aggregates, inventories, providers, traits

    with db.writer() as conn:
        for name in dataset.custom_traits:
            if traits.get_by_name(conn, name) is None:
                traits.create(conn, name)
        if dataset.custom_resource_classes:
            raise LoadError("load_storage does not create resource classes; use load_http")
        trait_ids = traits.ids_of(conn, {t for p in dataset.providers for t in p.traits})
        agg_uuids = {s: [dataset.aggregates[a] for a in s]
                     for s in {p.aggregates for p in dataset.providers if p.aggregates}}
        for p in dataset.providers:
            parent = dataset.by_name[p.parent].uuid if p.parent else None
            provider = providers.create(conn, uuid=p.uuid, name=p.name, parent_uuid=parent)
            if p.inventories:  # PUT /resource_providers/{uuid}/inventories
                data = {rc: inventories.with_defaults(f) for rc, f in p.inventories.items()}
                inventories.check_capacity(p.uuid, data, allow_zero_capacity=True)
                inventories.replace_all(conn, provider, data, allow_zero_capacity=True)
                provider = dataclasses.replace(
                    provider, generation=providers.increment_generation(conn, provider))
            if p.aggregates:  # PUT /resource_providers/{uuid}/aggregates (1.19)
                aggregates.set_provider_aggregates(conn, provider.id, agg_uuids[p.aggregates])
                provider = dataclasses.replace(
                    provider, generation=providers.increment_generation(conn, provider))
            if p.traits:  # PUT /resource_providers/{uuid}/traits
                unknown = [t for t in p.traits if t not in trait_ids]
                if unknown:
                    raise LoadError(f"unknown traits {unknown}")
                traits.replace_provider_traits(conn, provider, {trait_ids[t] for t in p.traits})


# ---- canonical answers -----------------------------------------------------------------------


def _resources(resources: Mapping[str, Any]) -> str:
    return ",".join(f"{rc}={amount}" for rc, amount in sorted(resources.items()))


def candidate_line(ds: Dataset, candidate: Mapping[str, Any]) -> tuple[str, str]:
    """(form, line) of one allocation request."""
    allocations = candidate.get("allocations")
    parts: list[str] = []
    if isinstance(allocations, list):
        form = "list"
        for item in allocations:
            rp = item.get("resource_provider", {}).get("uuid", "?")
            parts.append(f"{ds.symbol(rp)}:{_resources(item.get('resources', {}))}")
    else:
        form = "dict"
        for rp, item in (allocations or {}).items():
            parts.append(f"{ds.symbol(rp)}:{_resources(item.get('resources', {}))}")
    line = " ".join(sorted(parts))
    if "mappings" in candidate:
        mappings = " ".join(
            f"{suffix or chr(39) * 2}=" + ",".join(sorted(ds.symbol(u) for u in rps))
            for suffix, rps in sorted(candidate["mappings"].items()))
        line += f" || {mappings}"
    return form, line


def summary_line(ds: Dataset, uuid: str, summary: Mapping[str, Any]) -> str:
    head = [ds.symbol(uuid)]
    if "parent_provider_uuid" in summary:
        parent = summary["parent_provider_uuid"]
        head.append(f"parent={ds.symbol(parent) if parent else '-'}")
    if "root_provider_uuid" in summary:
        head.append(f"root={ds.symbol(summary['root_provider_uuid'])}")
    resources = " ".join(
        f"{rc}={v.get('capacity')}/{v.get('used')}"
        for rc, v in sorted(summary.get("resources", {}).items()))
    line = f"{' '.join(head)} | {resources or '-'}"
    if "traits" in summary:
        line += f" | {','.join(sorted(summary['traits'])) or '-'}"
    return line


@dataclass
class Answer:
    """One canonical answer (a query) or claim outcome."""

    status: int
    error_code: str | None = None
    error_detail: str = ""
    body_keys: list[str] = field(default_factory=list)
    form: str | None = None
    candidate_keys: list[list[str]] = field(default_factory=list)
    summary_keys: list[list[str]] = field(default_factory=list)
    resource_keys: list[list[str]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    claimed: list[str] = field(default_factory=list)  # claim steps: "status line"

    def shape(self) -> dict[str, Any]:
        return {"status": self.status, "error_code": self.error_code,
                "error_detail": self.error_detail, "body_keys": self.body_keys, "form": self.form,
                "candidate_keys": self.candidate_keys, "summary_keys": self.summary_keys,
                "resource_keys": self.resource_keys}


def canonical(ds: Dataset, resp: httpx.Response) -> tuple[Answer, dict[str, Any]]:
    """The canonical Answer, and a map line -> raw candidate (for claims)."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    answer = Answer(resp.status_code)
    if resp.status_code != 200 or not isinstance(body, dict):
        try:
            (error,) = body["errors"]  # type: ignore[index]
            answer.error_code = error.get("code")
            answer.error_detail = ds.symbolise_text(" ".join(str(error.get("detail", "")).split()))
        except (TypeError, KeyError, ValueError):
            answer.error_detail = ds.symbolise_text(" ".join(resp.text[:300].split()))
        return answer, {}
    answer.body_keys = sorted(body)
    raw: dict[str, Any] = {}
    forms, ckeys = set(), set()
    for candidate in body.get("allocation_requests", []):
        form, line = candidate_line(ds, candidate)
        forms.add(form)
        ckeys.add(tuple(sorted(candidate)))
        answer.candidates.append(line)
        raw.setdefault(line, candidate)
    answer.form = "/".join(sorted(forms)) or None
    answer.candidate_keys = [list(k) for k in sorted(ckeys)]
    skeys, rkeys = set(), set()
    for uuid, summary in body.get("provider_summaries", {}).items():
        skeys.add(tuple(sorted(summary)))
        for value in summary.get("resources", {}).values():
            rkeys.add(tuple(sorted(value)))
        answer.summaries.append(summary_line(ds, uuid, summary))
    answer.summary_keys = [list(k) for k in sorted(skeys)]
    answer.resource_keys = [list(k) for k in sorted(rkeys)]
    answer.candidates.sort()
    answer.summaries.sort()
    return answer, raw


# ---- running steps ---------------------------------------------------------------------------


def get_candidates(client: httpx.Client, ds: Dataset, step: Step) -> httpx.Response:
    url = "/allocation_candidates"
    query = ds.substitute(step.query)
    if query:
        url += "?" + query
    return client.get(url, headers=headers(step.microversion))


def claim_body(candidate: Mapping[str, Any], microversion: str) -> dict[str, Any]:
    """The candidate as a PUT /allocations body (as the perfload jobs send it)."""
    minor = int(microversion.split(".")[1])
    if isinstance(candidate["allocations"], list):  # list form (1.10, 1.11): to the dict form
        allocations = {a["resource_provider"]["uuid"]: {"resources": a["resources"]}
                       for a in candidate["allocations"]}
    else:
        allocations = candidate["allocations"]
    body: dict[str, Any] = {"allocations": allocations, "project_id": PROJECT, "user_id": USER}
    if minor >= 34 and "mappings" in candidate:
        body["mappings"] = candidate["mappings"]
    if minor >= 28:
        body["consumer_generation"] = None
    if minor >= 38:
        body["consumer_type"] = "TEST"
    return body


def run_step(client: httpx.Client, ds: Dataset, step: Step, consumers: Iterable[str]) -> Answer:
    """Run one step; claims take consumer uuids from ``consumers``."""
    if step.kind == "query":
        answer, _raw = canonical(ds, get_candidates(client, ds, step))
        return answer
    minor = int(step.microversion.split(".")[1])
    put_mv = step.microversion if minor >= 12 else "1.12"
    outcome = Answer(200)
    consumer_iter = iter(consumers)
    for _ in range(step.times):
        answer, raw = canonical(ds, get_candidates(client, ds, step))
        if answer.status != 200 or not answer.candidates:
            outcome.claimed.append(f"{answer.status} (no candidate to claim)")
            continue
        line = answer.candidates[step.pick]
        resp = client.put(f"/allocations/{next(consumer_iter)}",
                          json=claim_body(raw[line], put_mv), headers=headers(put_mv))
        outcome.claimed.append(f"{resp.status_code} {line}")
    return outcome


def consumer_uuids(ds: Dataset) -> Iterable[str]:
    n = 0
    while True:
        yield derived_uuid(ds.name, f"consumer:{n}")
        n += 1


def run_scenario(client: httpx.Client, scenario: Scenario,
                 on_step: Callable[[Step, Answer], None] | None = None) -> dict[str, Answer]:
    """Every step in order (the dataset must already be loaded)."""
    consumers = consumer_uuids(scenario.dataset)
    out: dict[str, Answer] = {}
    for step in scenario.steps:
        out[step.name] = run_step(client, scenario.dataset, step, consumers)
        if on_step is not None:
            on_step(step, out[step.name])
    return out


# ---- packing lines per tree (recordings) -----------------------------------------------------


def _tree_of(line: str) -> str | None:
    found = set(_TREE.findall(line))
    return found.pop() if len(found) == 1 else None


def pack(lines: list[str], trees: list[str]) -> dict[str, Any]:
    """Store ``lines`` compactly: per-tree lines grouped by their #* template."""
    plain: list[str] = []
    per_tree: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        tree = _tree_of(line) if trees else None
        if tree is None:
            plain.append(line)
        else:
            per_tree[tree].append(line.replace(f"#{tree}", "#*"))
    doc: dict[str, Any] = {"count": len(lines), "lines": sorted(plain)}
    if not per_tree:
        return doc
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for tree in trees:
        groups[tuple(sorted(per_tree.get(tree, ())))].append(tree)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    doc["per_tree"] = [
        {"lines": list(template), "trees": "others" if i == 0 else tree_list,
         "tree_count": len(tree_list)}
        for i, (template, tree_list) in enumerate(ordered)
    ]
    return doc


def unpack(doc: Mapping[str, Any], trees: list[str]) -> list[str]:
    out = list(doc.get("lines", []))
    groups = doc.get("per_tree") or []
    listed = {t for g in groups if g["trees"] != "others" for t in g["trees"]}
    for g in groups:
        members = [t for t in trees if t not in listed] if g["trees"] == "others" else g["trees"]
        for tree in members:
            out.extend(line.replace("#*", f"#{tree}") for line in g["lines"])
    return sorted(out)


def answer_to_doc(answer: Answer, trees: list[str]) -> dict[str, Any]:
    doc: dict[str, Any] = answer.shape()
    if answer.claimed:
        doc["claimed"] = pack(answer.claimed, trees)
    else:
        doc["candidates"] = pack(answer.candidates, trees)
        doc["summaries"] = pack(answer.summaries, trees)
    return doc


def answer_from_doc(doc: Mapping[str, Any], trees: list[str]) -> Answer:
    answer = Answer(doc["status"], doc.get("error_code"), doc.get("error_detail", ""),
                    doc.get("body_keys", []), doc.get("form"), doc.get("candidate_keys", []),
                    doc.get("summary_keys", []), doc.get("resource_keys", []))
    if "claimed" in doc:
        answer.claimed = unpack(doc["claimed"], trees)
    else:
        answer.candidates = unpack(doc["candidates"], trees)
        answer.summaries = unpack(doc["summaries"], trees)
    return answer


# ---- recordings ------------------------------------------------------------------------------


def recording_path(scenario: Scenario, directory: Path = RECORDED_DIR) -> Path:
    return directory / f"{scenario.dataset.name}.json"


def recording_document(scenario: Scenario, answers: Mapping[str, Answer],
                       source: Mapping[str, Any]) -> dict[str, Any]:
    trees = scenario.dataset.trees
    return {
        "dataset": scenario.dataset.name,
        "description": scenario.dataset.description,
        "digest": scenario.digest,
        "recorded_from": dict(source),
        "steps": [{"step": s.name, "request": s.label(), **answer_to_doc(answers[s.name], trees)}
                  for s in scenario.steps],
    }


class RecordingError(Exception):
    """Missing or stale recording."""


def load_recording(scenario: Scenario, directory: Path = RECORDED_DIR) -> dict[str, Answer]:
    path = recording_path(scenario, directory)
    if not path.exists():
        raise RecordingError(f"no recording {path.name}; run: python "
                             f"tests/golden/record_candidates.py {scenario.dataset.name}")
    document = json.loads(path.read_text(encoding="utf-8"))
    if document.get("digest") != scenario.digest:
        raise RecordingError(f"recording {path.name} is stale (dataset or queries changed); "
                             "re-record with: python tests/golden/record_candidates.py "
                             + scenario.dataset.name)
    trees = scenario.dataset.trees
    return {s["step"]: answer_from_doc(s, trees) for s in document["steps"]}


# ---- comparing -------------------------------------------------------------------------------


def _set_diff(what: str, expected: list[str], actual: list[str], names: tuple[str, str],
              limit: int = 8) -> list[str]:
    if expected == actual:
        return []
    a, b = Counter(expected), Counter(actual)
    only_a, only_b = sorted((a - b).elements()), sorted((b - a).elements())
    out = [f"{what}: {len(expected)} on {names[0]}, {len(actual)} on {names[1]}"]
    for label, only in ((names[0], only_a), (names[1], only_b)):
        if only:
            out.append(f"  only on {label} ({len(only)}):")
            out.extend(f"    {line}" for line in only[:limit])
            if len(only) > limit:
                out.append(f"    ... {len(only) - limit} more")
    return out


def limited_summaries(ds: Dataset, candidates: list[str], base_summaries: list[str]) -> list[str]:
    """The unlimited answer's summaries of the trees the kept candidates use."""
    roots = set()
    for line in candidates:
        allocations = line.split(" || ")[0]
        for part in allocations.split():
            roots.add(ds.root_of.get(part.split(":")[0]))
    return sorted(s for s in base_summaries if ds.root_of.get(s.split()[0]) in roots)


SHARING_ANCHOR_QUIRK = """\
Real Placement keeps an unsuffixed-group candidate served only by sharing providers under just
one of its anchors: _alloc_candidates_multiple_providers collects the group's candidates in a
set, and AllocationRequest equality ignores anchor_root_provider_uuid, so the copies for the
other anchors (trees sharing an aggregate with the provider) are dropped. Which anchor survives
is the first tree met while iterating a Python set of (provider id, root id, class id) tuples:
an accident of internal ids and hashing. Merged with granular groups, the candidates of the
other trees are lost. refcloud keeps every anchor, as the spec digest (4.2) describes."""


def _sharing_only_unsuffixed(ds: Dataset, line: str) -> bool:
    """Is the candidate's unsuffixed group served by sharing providers only?"""
    sharing = {p.name for p in ds.providers if SHARING_TRAIT in p.traits}
    allocations, _sep, mappings = line.partition(" || ")
    if mappings:
        for item in mappings.split():
            suffix, _eq, names = item.partition("=")
            if suffix == "''":
                return set(names.split(",")) <= sharing
        return False
    return any(part.split(":")[0] in sharing for part in allocations.split())


def _quirk_diffs(ds: Dataset, expected: Answer, actual: Answer,
                 names: tuple[str, str]) -> list[str]:
    """sharing-anchor: refcloud's extras must be what real Placement's quirk drops."""
    diffs = []
    missing = sorted(set(expected.candidates) - set(actual.candidates))
    extra = sorted(set(actual.candidates) - set(expected.candidates))
    if missing:
        diffs += _set_diff("candidates (every one of real Placement's must be there)",
                           expected.candidates, actual.candidates, names)
    bad = [line for line in extra if not _sharing_only_unsuffixed(ds, line)]
    if bad:
        diffs.append(f"{len(bad)} extra candidates on {names[1]} are not explained by the "
                     "sharing-anchor quirk (unsuffixed group not served by sharing providers "
                     "only):")
        diffs += [f"    {line}" for line in bad[:8]]
    extra_roots = {ds.root_of.get(part.split(":")[0])
                   for line in extra for part in line.partition(" || ")[0].split()}
    lost = sorted(set(expected.summaries) - set(actual.summaries))
    unexplained = sorted(s for s in set(actual.summaries) - set(expected.summaries)
                         if ds.root_of.get(s.split()[0]) not in extra_roots)
    for what, lines in ((f"summaries only on {names[0]}", lost),
                        (f"summaries only on {names[1]}, of trees no extra candidate uses",
                         unexplained)):
        if lines:
            diffs.append(f"{what} ({len(lines)}):")
            diffs += [f"    {line}" for line in lines[:8]]
    return diffs


def compare_step(scenario: Scenario, step: Step, expected: Answer, actual: Answer,
                 expected_all: Mapping[str, Answer], names: tuple[str, str]) -> list[str]:
    """Readable differences of one step (empty when equal).

    ``expected_all`` holds the expected answers of every step (for ``limit_of``).
    """
    diffs: list[str] = []
    for key, a in expected.shape().items():
        b = actual.shape()[key]
        if a != b:
            diffs.append(f"{key}: {a!r} on {names[0]}, {b!r} on {names[1]}")
    if step.kind == "claim":
        diffs += _set_diff("claims (status, candidate)", expected.claimed, actual.claimed, names)
    elif step.quirk == "sharing-anchor":
        diffs += _quirk_diffs(scenario.dataset, expected, actual, names)
    elif step.limit_of:
        base = expected_all[step.limit_of]
        if len(expected.candidates) != len(actual.candidates):
            diffs.append(f"candidate count: {len(expected.candidates)} on {names[0]}, "
                         f"{len(actual.candidates)} on {names[1]}")
        strays = sorted(set(actual.candidates) - set(base.candidates))
        if strays:
            diffs.append(f"{len(strays)} candidates on {names[1]} are not in {names[0]}'s "
                         f"unlimited answer ({step.limit_of}):")
            diffs.extend(f"    {line}" for line in strays[:8])
        want = limited_summaries(scenario.dataset, actual.candidates, base.summaries)
        diffs += _set_diff(f"summaries (expected: {names[0]}'s summaries of {step.limit_of} "
                           "for the trees used)", want, actual.summaries, names)
    else:
        diffs += _set_diff("candidates", expected.candidates, actual.candidates, names)
        diffs += _set_diff("provider summaries", expected.summaries, actual.summaries, names)
    return diffs


def report(step: Step, diffs: list[str], names: tuple[str, str]) -> str:
    lines = [f"{step.dataset} / {step.label()}", f"  (A={names[0]}, B={names[1]})"]
    lines += [f"  {d}" for d in diffs]
    return "\n".join(lines)
