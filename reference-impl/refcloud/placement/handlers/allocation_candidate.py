"""GET /allocation_candidates: possible allocations for a resource request."""

from __future__ import annotations

import webob
import webob.exc

from refcloud import exceptions, http, microversion, policy, storage
from refcloud.config import Config
from refcloud.placement import request_groups
from refcloud.placement.schemas import allocation_candidate as schema
from refcloud.storage import candidates

POLICY = "placement:allocation_candidates:list"


def _query_schema(req: webob.Request) -> dict:
    for minor, candidate in schema.schema_minors():
        if microversion.at_least(req, minor):
            return candidate
    return schema.GET_SCHEMA_1_10


def _allocation_requests(req: webob.Request, result: candidates.Result) -> list[dict]:
    """Dict form from 1.12 (with ``mappings`` from 1.34), list form before."""
    if not microversion.at_least(req, 12):
        return [
            {
                "allocations": [
                    {"resource_provider": {"uuid": uuid}, "resources": resources}
                    for uuid, resources in cand.allocations.items()
                ]
            }
            for cand in result.candidates
        ]
    with_mappings = microversion.at_least(req, 34)
    out = []
    for cand in result.candidates:
        entry: dict = {
            "allocations": {
                uuid: {"resources": resources} for uuid, resources in cand.allocations.items()
            }
        }
        if with_mappings:
            entry["mappings"] = cand.mappings
        out.append(entry)
    return out


def _provider_summaries(
    req: webob.Request, result: candidates.Result, requested: set[str]
) -> dict[str, dict]:
    """Requested classes only before 1.27; traits from 1.17; tree uuids from 1.29."""
    all_classes = microversion.at_least(req, 27)
    with_traits = microversion.at_least(req, 17)
    with_tree = microversion.at_least(req, 29)
    out: dict[str, dict] = {}
    for summary in result.summaries:
        entry: dict = {
            "resources": {
                rc: {"capacity": capacity, "used": used}
                for rc, (capacity, used) in summary.resources.items()
                if all_classes or rc in requested
            }
        }
        if with_traits:
            entry["traits"] = summary.traits
        if with_tree:
            entry["parent_provider_uuid"] = summary.parent_uuid
            entry["root_provider_uuid"] = summary.root_uuid
        out[summary.uuid] = entry
    return out


@http.handler
@microversion.version_handler(10)
@http.check_accept("application/json")
def list_allocation_candidates(req: webob.Request) -> webob.Response:
    """200 with ``allocation_requests`` and ``provider_summaries`` (1.10+).

    404 below 1.10; 400 for bad query parameters, unknown resource classes
    or traits. No match is a 200 with empty collections. LM/CC ("now")
    from 1.15.
    """
    policy.authorize(req, POLICY)
    http.validate_query(req, _query_schema(req))
    params = request_groups.request_wide_params(req)
    groups = request_groups.groups_from_request(req, params)
    request_groups.check_group_policy(groups, params)
    config: Config = req.environ.get("refcloud.config") or Config()
    try:
        with storage.of(req).reader() as conn:
            result = candidates.search(
                conn,
                list(groups.values()),
                params,
                nested_aware=microversion.at_least(req, 29),
                randomize=config.randomize_allocation_candidates,
            )
    except exceptions.ResourceClassNotFound as exc:
        raise http.error(
            webob.exc.HTTPBadRequest, f"Invalid resource class in resources parameter: {exc}"
        ) from None
    except exceptions.TraitNotFound as exc:
        raise http.error(webob.exc.HTTPBadRequest, str(exc)) from None
    requested = {rc for group in groups.values() for rc in group.resources}
    body = {
        "allocation_requests": _allocation_requests(req, result),
        "provider_summaries": _provider_summaries(req, result, requested),
    }
    return http.json_response(req, body, last_modified=True)
