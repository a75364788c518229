"""The Placement client: microversion, claim body, retries on provider races only."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from refcloud.scheduler.client import PlacementClient
from refcloud.scheduler.interface import AllocationUpdateFailed, PlacementError
from refcloud.scheduler.request_spec import ResourceRequest

RP = "4e1f0000-0000-4000-8000-000000000001"
CONSUMER = "4e1f0000-0000-4000-8000-0000000000c1"
REQUEST = {"allocations": {RP: {"resources": {"VCPU": 1}}}, "mappings": {"": [RP]}}


def conflict(detail: str, code: str = "placement.concurrent_update") -> httpx.Response:
    return httpx.Response(409, json={"errors": [{"status": 409, "title": "Conflict",
                                                 "detail": detail, "code": code}]})


def client_answering(answers: list[httpx.Response], seen: list[httpx.Request],
                     sleeps: list[float]) -> PlacementClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    return PlacementClient("http://placement", transport=httpx.MockTransport(handle),
                           retry_factor=2.0, sleep=sleeps.append)


Scenario = Callable[[list[httpx.Response]], tuple[PlacementClient, list, list]]


@pytest.fixture
def make() -> Scenario:
    def build(answers: list[httpx.Response]) -> tuple[PlacementClient, list, list]:
        seen: list[httpx.Request] = []
        sleeps: list[float] = []
        return client_answering(answers, seen, sleeps), seen, sleeps

    return build


def test_claim_body_and_microversion(make: Scenario) -> None:
    client, seen, _ = make([httpx.Response(204)])
    assert client.claim(CONSUMER, REQUEST, "proj", "user") is True
    (request,) = seen
    assert request.method == "PUT" and request.url.path == f"/allocations/{CONSUMER}"
    assert request.headers["openstack-api-version"] == "placement 1.36"
    assert json.loads(request.content) == {
        "allocations": REQUEST["allocations"], "mappings": REQUEST["mappings"],
        "project_id": "proj", "user_id": "user", "consumer_generation": None,
    }


def test_provider_race_is_retried_with_growing_random_sleeps(make: Scenario) -> None:
    race = "resource provider generation conflict"
    client, seen, sleeps = make([conflict(race), conflict(race), httpx.Response(204)])
    assert client.claim(CONSUMER, REQUEST, "proj", "user") is True
    assert len(seen) == 3
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 2.0 and 0 <= sleeps[1] <= 4.0


def test_provider_race_gives_up_after_four_attempts(make: Scenario) -> None:
    client, seen, sleeps = make([conflict("provider race")] * 5)
    assert client.claim(CONSUMER, REQUEST, "proj", "user") is False
    assert len(seen) == 4 and len(sleeps) == 3


def test_consumer_generation_conflict_raises_without_retry(make: Scenario) -> None:
    client, seen, _ = make([conflict("consumer generation conflict - expected null but got 1")])
    with pytest.raises(AllocationUpdateFailed):
        client.claim(CONSUMER, REQUEST, "proj", "user")
    assert len(seen) == 1


def test_capacity_refusal_is_false_without_retry(make: Scenario) -> None:
    client, seen, _ = make([conflict("Unable to allocate inventory", "placement.undefined_code")])
    assert client.claim(CONSUMER, REQUEST, "proj", "user") is False
    assert len(seen) == 1


def test_candidates_query_at_1_36(make: Scenario) -> None:
    body = {"allocation_requests": [REQUEST], "provider_summaries": {RP: {"resources": {}}}}
    client, seen, _ = make([httpx.Response(200, json=body)])
    found = client.allocation_candidates(ResourceRequest({"VCPU": 1}, limit=5))
    assert found.allocation_requests == [REQUEST]
    (request,) = seen
    assert request.headers["openstack-api-version"] == "placement 1.36"
    assert request.url.query == (
        b"limit=5&resources=VCPU%3A1&root_required=%21COMPUTE_STATUS_DISABLED")


def test_candidates_error_raises(make: Scenario) -> None:
    client, _, _ = make([httpx.Response(400, json={"errors": [{"detail": "bad"}]})])
    with pytest.raises(PlacementError, match="400"):
        client.allocation_candidates(ResourceRequest({"VCPU": 1}))


def test_delete_answers_whether_there_was_anything(make: Scenario) -> None:
    client, _, _ = make([httpx.Response(204), httpx.Response(404, json={"errors": []})])
    assert client.delete_allocations(CONSUMER) is True
    assert client.delete_allocations(CONSUMER) is False
