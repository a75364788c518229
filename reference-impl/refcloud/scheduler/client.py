"""An httpx client to the Placement API: the scheduler's and conductor's only way in.

``PlacementClient.in_process(app)`` talks to a WSGI app in this process
(``httpx.WSGITransport``); ``PlacementClient(url)`` to a URL. Candidates and
claims use microversion 1.36, as Nova. A claim that Placement answers with a
provider race (``placement.concurrent_update`` other than a consumer
generation conflict) is retried up to ``claim_attempts`` times, sleeping a
random 0..``retry_factor``*i seconds before attempt i; a consumer generation
conflict raises AllocationUpdateFailed; any other refusal answers False.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from refcloud.scheduler.interface import (
    ALLOCATION_REQUEST_VERSION,
    AllocationUpdateFailed,
    Candidates,
    ConsumerAllocations,
    PlacementError,
    ProviderRef,
)
from refcloud.scheduler.request_spec import ResourceRequest

LOG = logging.getLogger(__name__)
CONCURRENT_UPDATE = "placement.concurrent_update"
#: Generations and consumer types in POST /allocations need 1.28+; 1.36 keeps one version.
MOVE_VERSION = "1.36"
#: member_of on GET /resource_providers exists from 1.3; root_provider_uuid from 1.14.
LIST_VERSION = "1.14"


class PlacementClient:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8780",
        *,
        transport: httpx.BaseTransport | None = None,
        token: str = "admin",
        timeout: float = 30.0,
        claim_attempts: int = 4,
        retry_factor: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout,
                                  headers={"x-auth-token": token, "accept": "application/json"})
        self.claim_attempts = max(1, claim_attempts)
        self.retry_factor = retry_factor
        self._sleep = sleep
        self._rng = rng or random.Random()

    @classmethod
    def in_process(cls, app: Any, **kwargs: Any) -> PlacementClient:
        """A client for a WSGI application in this process."""
        return cls("http://placement", transport=httpx.WSGITransport(app=app), **kwargs)

    def close(self) -> None:
        self._http.close()

    # -- the Placement protocol -------------------------------------------

    def allocation_candidates(self, request: ResourceRequest) -> Candidates:
        resp = self._request("GET", f"/allocation_candidates?{request.to_querystring()}",
                             ALLOCATION_REQUEST_VERSION)
        if resp.status_code != 200:
            raise PlacementError(f"GET /allocation_candidates: {resp.status_code} {_detail(resp)}")
        body = resp.json()
        return Candidates(body["allocation_requests"], body["provider_summaries"])

    def claim(self, consumer_uuid: str, allocation_request: dict[str, Any], project_id: str,
              user_id: str, version: str = ALLOCATION_REQUEST_VERSION) -> bool:
        body: dict[str, Any] = {
            "allocations": allocation_request["allocations"],
            "project_id": project_id,
            "user_id": user_id,
            "consumer_generation": None,
        }
        if allocation_request.get("mappings"):
            body["mappings"] = allocation_request["mappings"]
        for attempt in range(self.claim_attempts):
            if attempt:
                self._sleep(self._rng.uniform(0, self.retry_factor * attempt))
            resp = self._request("PUT", f"/allocations/{consumer_uuid}", version, json=body)
            if resp.status_code == 204:
                return True
            code, detail = _code(resp), _detail(resp)
            if resp.status_code == 409 and code == CONCURRENT_UPDATE:
                if "consumer generation conflict" in detail:
                    raise AllocationUpdateFailed(
                        f"consumer {consumer_uuid} was changed by someone else: {detail}")
                LOG.debug("provider race claiming %s (attempt %d)", consumer_uuid, attempt + 1)
                continue
            LOG.debug("claim for %s refused: %s %s", consumer_uuid, resp.status_code, detail)
            return False
        return False

    def delete_allocations(self, consumer_uuid: str) -> bool:
        resp = self._request("DELETE", f"/allocations/{consumer_uuid}", ALLOCATION_REQUEST_VERSION)
        if resp.status_code == 204:
            return True
        if resp.status_code == 404:
            return False
        raise PlacementError(f"DELETE /allocations/{consumer_uuid}: {resp.status_code} "
                             f"{_detail(resp)}")

    def get_allocations(self, consumer_uuid: str) -> ConsumerAllocations:
        resp = self._request("GET", f"/allocations/{consumer_uuid}", ALLOCATION_REQUEST_VERSION)
        if resp.status_code != 200:
            raise PlacementError(f"GET /allocations/{consumer_uuid}: {resp.status_code}")
        body = resp.json()
        allocations = {rp: dict(a["resources"]) for rp, a in body["allocations"].items()}
        return ConsumerAllocations(allocations, body.get("consumer_generation"),
                                   body.get("project_id"), body.get("user_id"))

    def move_allocations(self, source: str, target: str, project_id: str, user_id: str) -> None:
        src = self.get_allocations(source)
        dst = self.get_allocations(target)
        body = {
            target: {"allocations": {rp: {"resources": r} for rp, r in src.allocations.items()},
                     "consumer_generation": dst.consumer_generation,
                     "project_id": project_id, "user_id": user_id},
            source: {"allocations": {}, "consumer_generation": src.consumer_generation,
                     "project_id": project_id, "user_id": user_id},
        }
        resp = self._request("POST", "/allocations", MOVE_VERSION, json=body)
        if resp.status_code == 204:
            return
        if resp.status_code == 409 and _code(resp) == CONCURRENT_UPDATE:
            raise AllocationUpdateFailed(f"moving {source} -> {target}: {_detail(resp)}")
        raise PlacementError(f"POST /allocations: {resp.status_code} {_detail(resp)}")

    def providers_in_aggregate(self, aggregate_uuid: str) -> list[ProviderRef]:
        resp = self._request("GET", f"/resource_providers?member_of={aggregate_uuid}",
                             LIST_VERSION)
        if resp.status_code != 200:
            raise PlacementError(f"GET /resource_providers: {resp.status_code} {_detail(resp)}")
        return [ProviderRef(rp["uuid"], rp["name"], rp["root_provider_uuid"])
                for rp in resp.json()["resource_providers"]]

    # -- operator helpers (registering simulated compute nodes) -------------

    def usages(self, rp_uuid: str) -> dict[str, int]:
        resp = self._request("GET", f"/resource_providers/{rp_uuid}/usages", "1.19")
        if resp.status_code != 200:
            raise PlacementError(f"GET usages of {rp_uuid}: {resp.status_code}")
        return dict(resp.json()["usages"])

    def register_host(self, name: str, uuid: str, inventory: dict[str, dict[str, Any]],
                      aggregates: list[str]) -> None:
        """Create a root provider with inventory and aggregates (a compute node)."""
        resp = self._request("POST", "/resource_providers", "1.20",
                             json={"name": name, "uuid": uuid})
        if resp.status_code != 200:
            raise PlacementError(f"creating provider {name}: {resp.status_code} {_detail(resp)}")
        generation = resp.json()["generation"]
        resp = self._request("PUT", f"/resource_providers/{uuid}/inventories", "1.20",
                             json={"resource_provider_generation": generation,
                                   "inventories": inventory})
        if resp.status_code != 200:
            raise PlacementError(f"inventory of {name}: {resp.status_code} {_detail(resp)}")
        generation = resp.json()["resource_provider_generation"]
        resp = self._request("PUT", f"/resource_providers/{uuid}/aggregates", "1.20",
                             json={"resource_provider_generation": generation,
                                   "aggregates": aggregates})
        if resp.status_code != 200:
            raise PlacementError(f"aggregates of {name}: {resp.status_code} {_detail(resp)}")

    def set_traits(self, rp_uuid: str, traits: list[str]) -> None:
        """Replace a provider's traits (e.g. COMPUTE_STATUS_DISABLED to disable a host)."""
        resp = self._request("GET", f"/resource_providers/{rp_uuid}", "1.20")
        if resp.status_code != 200:
            raise PlacementError(f"GET provider {rp_uuid}: {resp.status_code} {_detail(resp)}")
        resp = self._request("PUT", f"/resource_providers/{rp_uuid}/traits", "1.20",
                             json={"resource_provider_generation": resp.json()["generation"],
                                   "traits": traits})
        if resp.status_code != 200:
            raise PlacementError(f"traits of {rp_uuid}: {resp.status_code} {_detail(resp)}")

    def _request(self, method: str, url: str, version: str, **kwargs: Any) -> httpx.Response:
        headers = {"openstack-api-version": f"placement {version}"}
        try:
            return self._http.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise PlacementError(f"{method} {url}: {exc}") from exc


def _errors(resp: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = resp.json()
    except ValueError:
        return []
    return body.get("errors", []) if isinstance(body, dict) else []


def _code(resp: httpx.Response) -> str | None:
    errors = _errors(resp)
    return errors[0].get("code") if errors else None


def _detail(resp: httpx.Response) -> str:
    errors = _errors(resp)
    return str(errors[0].get("detail", "")) if errors else resp.text[:200]
