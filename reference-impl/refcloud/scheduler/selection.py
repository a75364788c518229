"""The Selection object (Nova's version 1.1): one destination and its allocation request."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from refcloud.scheduler.host_state import HostState

VERSION = "1.1"


@dataclass(frozen=True)
class Selection:
    """A chosen (element 0, claimed) or alternate (not claimed) destination.

    ``allocation_request`` is the JSON-encoded ``{"allocations", "mappings"}``
    dict the conductor sends to claim this host, at ``allocation_request_version``.
    """

    compute_node_uuid: str
    service_host: str
    nodename: str
    cell_uuid: str
    limits: dict[str, Any] | None
    allocation_request: str | None
    allocation_request_version: str | None
    availability_zone: str | None = None  # added in 1.1

    @classmethod
    def from_host_state(cls, host: HostState, allocation_request: dict[str, Any] | None,
                        version: str | None) -> Selection:
        return cls(
            compute_node_uuid=host.uuid,
            service_host=host.name,
            nodename=host.name,
            cell_uuid=host.cell_uuid,
            limits=host.limits(),
            allocation_request=(json.dumps(allocation_request)
                                if allocation_request is not None else None),
            allocation_request_version=version,
            availability_zone=host.availability_zone,
        )

    def allocation(self) -> dict[str, Any] | None:
        """The decoded allocation request."""
        return json.loads(self.allocation_request) if self.allocation_request else None

    def to_dict(self) -> dict[str, Any]:
        """The legacy form ``{"host", "nodename", "limits"}``."""
        return {"host": self.service_host, "nodename": self.nodename,
                "limits": dict(self.limits or {})}

    def to_primitive(self, version: str = VERSION) -> dict[str, Any]:
        """All fields; backporting to 1.0 drops ``availability_zone``."""
        data = asdict(self)
        if version == "1.0":
            data.pop("availability_zone")
        return {"version": version, "data": data}
