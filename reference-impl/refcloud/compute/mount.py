"""Serve the servers API beside Placement: ``/compute/...`` goes to compute, the rest
to the Placement app untouched (its responses stay exactly as without the mount).

``refcloud serve`` uses ``with_compute``; the servers API reaches Placement
through an in-process HTTP client (``httpx.WSGITransport``) on the same app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from refcloud.compute.app import ComputeApp, make_compute_app
from refcloud.compute.config import ComputeConfig
from refcloud.scheduler.client import PlacementClient

PREFIX = "/compute"


class Mount:
    """A WSGI dispatcher on one path prefix; ``placement`` (and its ``db``) stay reachable."""

    def __init__(self, placement: Any, compute: ComputeApp, prefix: str = PREFIX) -> None:
        self.placement = placement
        self.compute = compute
        self.prefix = prefix.rstrip("/")

    @property
    def db(self) -> Any:
        return self.placement.db

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
            environ["PATH_INFO"] = path[len(self.prefix):]
            return self.compute(environ, start_response)
        return self.placement(environ, start_response)


def with_compute(placement_app: Any, config: ComputeConfig | None = None,
                 prefix: str = PREFIX) -> Mount:
    """``placement_app`` with the servers API mounted at ``prefix``."""
    client = PlacementClient.in_process(placement_app)
    return Mount(placement_app, make_compute_app(client, config), prefix)


def parse_cells(values: Iterable[str]) -> dict[str, str]:
    """``NAME=UUID`` options to {uuid: name}; ValueError for a malformed one."""
    import uuid as uuidlib

    cells: dict[str, str] = {}
    for value in values:
        name, sep, cell_uuid = value.partition("=")
        if not sep or not name:
            raise ValueError(f"--cell wants NAME=UUID, got {value!r}")
        try:
            cells[str(uuidlib.UUID(cell_uuid))] = name
        except ValueError:
            raise ValueError(f"--cell {value!r}: {cell_uuid!r} is not a UUID") from None
    return cells
