"""The two Placement perfload datasets (spec digest §6) and their loaders.

* Flat (``placement-perfload``): placeload 0.3.0 run twice (10, then 1,000 providers); every
  provider gets VCPU/MEMORY_MB/DISK_GB inventory, aggregates cycling [A], [A,B], [A,B,C] and
  traits cycling [AVX2], [AVX2,SSE2], [AVX2,SSE2,SSD].
* Nested (``placement-nested-perfload``): ``gate/gabbits/nested-perfload.yaml`` run once per
  tree: a compute node, two NUMA nodes, three FPGAs and a PGPU (7 providers per tree).

Both are loaded over the HTTP API exactly like the CI jobs do (``load_flat``, ``load_nested``),
with a bounded thread pool. ``bulk_flat_sqlite`` writes the same rows as the flat loader straight
into a refcloud SQLite file (used for the 10k/50k scaling runs, where HTTP loading is too slow).
``RealPlacement`` and ``Refcloud`` start and stop the two services on loopback.
"""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

HEADERS = {
    "x-auth-token": "admin",
    "openstack-api-version": "placement latest",
    "accept": "application/json",
}

AGG_A = "14a5c8a3-5a99-4e8f-88be-00d85fcb1c17"
AGG_B = "66d98e7c-3c25-485d-a0dc-1cea651884de"
AGG_C = "a59dbb28-fd98-4c6e-9ec5-ae5f3d04b0aa"
FLAT_AGGREGATES = ([AGG_A], [AGG_A, AGG_B], [AGG_A, AGG_B, AGG_C])
FLAT_TRAITS = (
    ["HW_CPU_X86_AVX2"],
    ["HW_CPU_X86_AVX2", "HW_CPU_X86_SSE2"],
    ["HW_CPU_X86_AVX2", "HW_CPU_X86_SSE2", "STORAGE_DISK_SSD"],
)
FLAT_INVENTORY = {
    "MEMORY_MB": {"total": 8192, "min_unit": 128, "max_unit": 8192},
    "DISK_GB": {"total": 8192, "min_unit": 5, "max_unit": 8192},
    "VCPU": {"total": 32, "min_unit": 1, "max_unit": 16},
}
#: placeload's two runs in the CI job: 10 to pre-heat aggregates, then the timed 1,000.
FLAT_RUNS = (10, 1000)

FLAT_QUERY = (
    "resources=VCPU:1,DISK_GB:10,MEMORY_MB:256"
    f"&member_of={AGG_A}&required=HW_CPU_X86_AVX2"
)
NESTED_QUERY = (
    "resources=DISK_GB:10&required=COMPUTE_VOLUME_MULTI_ATTACH"
    "&resources_COMPUTE=VCPU:1,MEMORY_MB:256&required_COMPUTE=CUSTOM_FOO"
    "&resources_FPGA=FPGA:1&group_policy=none&same_subtree=_COMPUTE,_FPGA"
)
NESTED_TREE_SIZE = 7
REPO_ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_PORTS = range(8780, 8800)  # the shared oracle and the other helpers' servers


class BenchError(Exception):
    """Anything that stops the benchmark; printed as one line."""


class LoadError(Exception):
    """A loading request got an unexpected answer."""


class Progress:
    """Thread-safe ``done/total`` counter printing a line on stderr every ~10%."""

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._next = max(1, total // 10)

    def step(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            if self.done >= self._next or self.done == self.total:
                self._next = self.done + max(1, self.total // 10)
                elapsed = time.monotonic() - self.started
                print(f"[load] {self.label}: {self.done}/{self.total} ({elapsed:.0f}s)",
                      file=sys.stderr, flush=True)


class _Clients:
    """One keep-alive httpx.Client per loader thread."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._local = threading.local()
        self._all: list[httpx.Client] = []
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        client = getattr(self._local, "client", None)
        if client is None:
            client = make_client(self.base_url)
            self._local.client = client
            with self._lock:
                self._all.append(client)
        return client

    def close(self) -> None:
        for client in self._all:
            client.close()


def make_client(base_url: str, timeout: float = 600.0) -> httpx.Client:
    """A keep-alive client sending the perfload headers (admin token, latest microversion)."""
    return httpx.Client(base_url=base_url, headers=HEADERS, timeout=timeout)


def _call(client: httpx.Client, method: str, path: str, expect: tuple[int, ...],
          body: Any = None) -> httpx.Response:
    for attempt in range(5):
        try:
            resp = client.request(method, path, json=body)
            break
        except httpx.TransportError:
            # real Placement's gunicorn closes connections; a reused socket may be gone
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    if resp.status_code not in expect:
        raise LoadError(f"{method} {path} -> {resp.status_code} (wanted "
                        f"{'/'.join(map(str, expect))}): {resp.text[:300]}")
    return resp


def _run_pool(items: list[Any], work: Callable[[httpx.Client, Any], None], base_url: str,
              workers: int, progress: Progress) -> None:
    clients = _Clients(base_url)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(lambda item=item: work(clients.get(), item)) for item in items]
            for future in concurrent.futures.as_completed(futures):
                exc = future.exception()
                if exc is not None:
                    for other in futures:
                        other.cancel()
                    raise exc
                progress.step()
    finally:
        clients.close()


# ---- flat ------------------------------------------------------------------------------------

def _flat_provider(client: httpx.Client, item: tuple[str, int]) -> None:
    """placeload's four requests for one provider (position ``index`` in its run)."""
    rp_uuid, index = item
    _call(client, "POST", "/resource_providers", (200,), {"uuid": rp_uuid, "name": rp_uuid})
    base = f"/resource_providers/{rp_uuid}"
    _call(client, "PUT", f"{base}/inventories", (200,),
          {"resource_provider_generation": 0, "inventories": FLAT_INVENTORY})
    _call(client, "PUT", f"{base}/aggregates", (200,),
          {"resource_provider_generation": 1, "aggregates": FLAT_AGGREGATES[index % 3]})
    _call(client, "PUT", f"{base}/traits", (200,),
          {"resource_provider_generation": 2, "traits": FLAT_TRAITS[index % 3]})


def load_flat(base_url: str, runs: tuple[int, ...] = FLAT_RUNS, workers: int = 8,
              label: str = "flat") -> int:
    """Load the flat dataset over HTTP (one placeload run per entry of ``runs``); return count."""
    total = sum(runs)
    progress = Progress(label, total)
    for count in runs:
        items = [(str(uuidlib.uuid4()), i) for i in range(count)]
        _run_pool(items, _flat_provider, base_url, workers, progress)
    return total


# ---- nested ----------------------------------------------------------------------------------

#: name prefix, parent key, inventories, traits -- in the gabbi file's order
NESTED_TREE: tuple[tuple[str, str, str | None, dict, list[str]], ...] = (
    ("cn1", "", None, {"DISK_GB": {"total": 20480}}, ["COMPUTE_VOLUME_MULTI_ATTACH"]),
    ("n0", "numa 0-", "cn1",
     {"VCPU": {"total": 4, "reserved": 2},
      "MEMORY_MB": {"total": 2048, "min_unit": 512, "step_size": 256}},
     ["HW_NUMA_ROOT"]),
    ("fpga0_0", "fpga0-0-", "n0", {"FPGA": {"total": 1}}, []),
    ("pgpu0_0", "pgpu0-0-", "n0", {"VGPU": {"total": 8}}, []),
    ("n1", "numa 1-", "cn1",
     {"VCPU": {"total": 4}, "MEMORY_MB": {"total": 2048, "min_unit": 256, "max_unit": 1024}},
     ["HW_NUMA_ROOT", "CUSTOM_FOO"]),
    ("fpga1_0", "fpga1-0-", "n1", {"FPGA": {"total": 1}}, []),
    ("fpga1_1", "fpga1-1-", "n1", {"FPGA": {"total": 1}}, []),
)


def _nested_tree(client: httpx.Client, _index: int) -> None:
    """The requests of ``gate/gabbits/nested-perfload.yaml`` for one tree."""
    _call(client, "PUT", "/traits/CUSTOM_FOO", (201, 204))
    uuids: dict[str, str] = {}
    for key, prefix, parent, inventories, trait_names in NESTED_TREE:
        rp_uuid = str(uuidlib.uuid4())
        uuids[key] = rp_uuid
        body: dict[str, Any] = {"uuid": rp_uuid, "name": prefix + rp_uuid}
        if parent is not None:
            body["parent_provider_uuid"] = uuids[parent]
        _call(client, "POST", "/resource_providers", (200,), body)
        base = f"/resource_providers/{rp_uuid}"
        _call(client, "PUT", f"{base}/inventories", (200,),
              {"resource_provider_generation": 0, "inventories": inventories})
        if trait_names:
            _call(client, "PUT", f"{base}/traits", (200,),
                  {"resource_provider_generation": 1, "traits": trait_names})


def load_nested(base_url: str, trees: int = 1000, workers: int = 8,
                label: str = "nested") -> int:
    """Load ``trees`` nested trees over HTTP; return the number of providers."""
    progress = Progress(label, trees)
    with make_client(base_url) as client:  # once up front: the trees then race on a 204
        _call(client, "PUT", "/traits/CUSTOM_FOO", (201, 204))
    _run_pool(list(range(trees)), _nested_tree, base_url, workers, progress)
    return trees * NESTED_TREE_SIZE


# ---- bulk (refcloud SQLite only) -------------------------------------------------------------

def _chunks(rows: list[dict], size: int = 5000) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def bulk_flat_sqlite(db_path: str, count: int) -> None:
    """Write ``count`` flat perfload providers straight into a new refcloud SQLite file.

    The rows are the ones the HTTP loader would leave behind: each provider is its own root
    at generation 3 (inventories, aggregates and traits each bumped it once), with the three
    inventories, its aggregate set and its trait set, cycling like placeload.
    """
    import os_resource_classes
    import sqlalchemy as sa
    from refcloud.storage import engine, tables

    database = engine.Database(f"sqlite:///{db_path}")  # schema + standard classes/traits
    now = engine.utcnow()
    try:
        with database.writer() as conn:
            rc_ids = {name: os_resource_classes.STANDARDS.index(name) for name in FLAT_INVENTORY}
            trait_names = sorted({t for names in FLAT_TRAITS for t in names})
            trait_ids = dict(conn.execute(
                sa.select(tables.traits.c.name, tables.traits.c.id)
                .where(tables.traits.c.name.in_(trait_names))).all())
            agg_ids = {}
            for agg_uuid in (AGG_A, AGG_B, AGG_C):
                agg_ids[agg_uuid] = conn.execute(
                    sa.insert(tables.placement_aggregates).values(uuid=agg_uuid, created_at=now)
                ).inserted_primary_key[0]
            first_id = (conn.execute(sa.select(sa.func.max(tables.resource_providers.c.id)))
                        .scalar() or 0) + 1
            providers, inventories, aggregates, traits = [], [], [], []
            for i in range(count):
                rp_id = first_id + i
                rp_uuid = str(uuidlib.uuid4())
                providers.append({
                    "id": rp_id, "uuid": rp_uuid, "name": rp_uuid, "generation": 3,
                    "root_provider_id": rp_id, "parent_provider_id": None,
                    "created_at": now, "updated_at": now,
                })
                for rc_name, fields in FLAT_INVENTORY.items():
                    inventories.append({
                        "resource_provider_id": rp_id, "resource_class_id": rc_ids[rc_name],
                        "total": fields["total"], "reserved": 0, "min_unit": fields["min_unit"],
                        "max_unit": fields["max_unit"], "step_size": 1, "allocation_ratio": 1.0,
                        "created_at": now, "updated_at": None,
                    })
                aggregates.extend(
                    {"resource_provider_id": rp_id, "aggregate_id": agg_ids[a], "created_at": now}
                    for a in FLAT_AGGREGATES[i % 3])
                traits.extend(
                    {"resource_provider_id": rp_id, "trait_id": trait_ids[t], "created_at": now}
                    for t in FLAT_TRAITS[i % 3])
            for table, rows in ((tables.resource_providers, providers),
                                (tables.inventories, inventories),
                                (tables.resource_provider_aggregates, aggregates),
                                (tables.resource_provider_traits, traits)):
                for chunk in _chunks(rows):
                    conn.execute(sa.insert(table), chunk)
    finally:
        database.dispose()


# ---- servers ---------------------------------------------------------------------------------

def shared_dir() -> Path:
    """``shared/`` beside the repository root, or $INTEROPCHECK_SHARED."""
    env = os.environ.get("INTEROPCHECK_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def pick_ports(wanted: list[int], count: int) -> list[int]:
    """``wanted`` ports if free, else the next free ones from 8810 (never 8780..8799)."""
    chosen: list[int] = []
    candidates = [*wanted, *range(8810, 8900)]
    for port in candidates:
        if len(chosen) == count:
            break
        if port in FORBIDDEN_PORTS or port in chosen or not port_free(port):
            continue
        chosen.append(port)
    if len(chosen) < count:
        raise BenchError("no free port in 8810..8899 for the real Placement")
    return chosen


class RealPlacement:
    """A real Placement started with ``RP_FRESH=1 start.sh PORT`` (gunicorn, SQLite, noauth2)."""

    name = "real"

    def __init__(self, port: int) -> None:
        self.port = port
        self.tools = shared_dir() / "tools" / "real-placement"
        self.base_url = f"http://127.0.0.1:{port}"
        self.started = False

    def start(self) -> None:
        script = self.tools / "start.sh"
        if not script.exists():
            raise BenchError(f"real Placement tools not found at {self.tools} "
                             "(set INTEROPCHECK_SHARED to the shared/ folder)")
        env = {**os.environ, "RP_FRESH": "1"}
        try:
            proc = subprocess.run([str(script), str(self.port)], env=env, capture_output=True,
                                  text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.started = True  # it may be half up: let stop() look at its PID file
            raise BenchError(f"real Placement failed to start on port {self.port}: {exc}") from None
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
            raise BenchError(f"real Placement failed to start on port {self.port}: "
                             f"{lines[-1] if lines else 'exit ' + str(proc.returncode)}")
        self.started = True

    def stop(self) -> None:
        if self.started:
            subprocess.run([str(self.tools / "stop.sh"), str(self.port)],
                           capture_output=True, timeout=60)
            self.started = False


class Refcloud:
    """``refcloud serve`` (waitress, threaded) on a free loopback port, SQLite file ``db_path``.

    ``db_url`` (e.g. PostgreSQL) replaces the SQLite file (``db_path`` then only names the
    log); ``workers`` > 1 runs ``refcloud serve --workers N`` (N processes, one address);
    ``extra_args`` are added to the ``refcloud serve`` command line (e.g. ``--threads 4``).
    """

    name = "refcloud"

    def __init__(self, db_path: Path, fresh: bool = True, db_url: str | None = None,
                 workers: int = 1, extra_args: tuple[str, ...] = ()) -> None:
        self.db_path = db_path
        self.extra_args = extra_args
        self.fresh = fresh
        self.db_url = db_url or f"sqlite:///{db_path}"
        self.workers = workers
        self.logfile = db_path.with_suffix(".log")
        self.proc: subprocess.Popen | None = None
        self.base_url = ""

    def start(self) -> None:
        cmd = [sys.executable, "-m", "refcloud", "serve", "--host", "127.0.0.1", "--port", "0",
               "--db", self.db_url, "-q", "--workers", str(self.workers), *self.extra_args]
        if self.fresh:
            cmd.append("--fresh")
        with open(self.logfile, "w") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = self.logfile.read_text()
            for line in text.splitlines():
                if "listening on http://" in line:
                    self.base_url = line.split("listening on ", 1)[1].split()[0]
                    return
            if self.proc.poll() is not None:
                lines = [ln for ln in text.splitlines() if ln.strip()]
                self.proc = None
                raise BenchError(f"refcloud failed to start: {lines[-1] if lines else 'no output'}")
            time.sleep(0.1)
        self.stop()
        raise BenchError("refcloud did not start listening within 120 s")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
