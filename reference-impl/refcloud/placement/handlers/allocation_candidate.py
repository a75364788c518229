"""GET /allocation_candidates: possible allocations for a resource request."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from typing import Any

import jsonschema
import orjson
import webob
import webob.exc

from refcloud import exceptions, http, microversion, policy, storage
from refcloud.config import Config
from refcloud.placement import request_groups
from refcloud.placement.schemas import allocation_candidate as schema
from refcloud.storage import candidates

POLICY = "placement:allocation_candidates:list"


# Built once: ``jsonschema.validate`` would re-check the schema on every call.
_VALIDATORS = tuple((since, http.kept_validator(s)) for since, s in schema.GET_SCHEMAS)


def _validate_query(req: webob.Request) -> None:
    """As ``http.validate_query`` (same 400), with a cached validator."""
    try:
        params = dict(req.GET)
        error = jsonschema.exceptions.best_match(
            microversion.pick(req, _VALIDATORS).iter_errors(params)
        )
    except UnicodeDecodeError as exc:
        error = exc
    if error is not None:
        raise http.error(webob.exc.HTTPBadRequest, f"Invalid query string parameters: {error}")


def _encode(body: dict[str, Any]) -> bytes:
    """The JSON body. orjson: answers of several MB over thousands of providers encode
    about 7x faster than with ``json``; every name in them is ASCII (uuids, resource
    class and trait names), so the bytes are what ``json.dumps`` would give, spacing aside.
    """
    return orjson.dumps(body)


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a search builds (and frees) many small containers.

    The collector's full passes over every live object made big answers
    super-linear. Shared between threads: re-enabled (if it was enabled)
    when the last concurrent search ends; reference counting still frees
    everything meanwhile.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _allocation_requests(req: webob.Request, found: list[dict[str, Any]]) -> list[dict]:
    """Dict form from 1.12 with ``mappings`` from 1.34; list form before 1.12."""
    if microversion.at_least(req, microversion.MAPPINGS):
        return found
    if microversion.at_least(req, microversion.ALLOCATIONS_DICT):
        return [{"allocations": entry["allocations"]} for entry in found]
    return [
        {
            "allocations": [
                {"resource_provider": {"uuid": uuid}, "resources": alloc["resources"]}
                for uuid, alloc in entry["allocations"].items()
            ]
        }
        for entry in found
    ]


def _provider_summaries(
    req: webob.Request, found: dict[str, dict[str, Any]], requested: set[str]
) -> dict[str, dict[str, Any]]:
    """Requested classes only before 1.27; traits from 1.17; tree uuids from 1.29."""
    if microversion.at_least(req, microversion.NESTED_CANDIDATES):
        return found
    all_classes = microversion.at_least(req, microversion.ALL_SUMMARY_CLASSES)
    with_traits = microversion.at_least(req, microversion.CANDIDATES_TRAITS)
    out: dict[str, dict[str, Any]] = {}
    for uuid, summary in found.items():
        resources = summary["resources"]
        entry: dict[str, Any] = {
            "resources": resources
            if all_classes
            else {rc: v for rc, v in resources.items() if rc in requested}
        }
        if with_traits:
            entry["traits"] = summary["traits"]
        out[uuid] = entry
    return out


@http.handler
@microversion.version_handler(microversion.ALLOCATION_CANDIDATES)
@http.check_accept("application/json")
def list_allocation_candidates(req: webob.Request) -> webob.Response:
    """200 with ``allocation_requests`` and ``provider_summaries`` (1.10+).

    404 below 1.10; 400 for bad query parameters, unknown resource classes
    or traits. No match is a 200 with empty collections. LM/CC ("now")
    from 1.15.
    """
    policy.authorize(req, POLICY)
    _validate_query(req)
    params = request_groups.request_wide_params(req)
    groups = request_groups.groups_from_request(req, params)
    request_groups.check_group_policy(groups, params)
    config: Config = req.environ.get("refcloud.config") or Config()
    with _gc_paused():
        try:
            with storage.of(req).reader() as conn:
                result = candidates.search(
                    conn,
                    list(groups.values()),
                    params,
                    nested_aware=microversion.at_least(req, microversion.NESTED_CANDIDATES),
                    randomize=config.randomize_allocation_candidates,
                    encoded=microversion.at_least(req, microversion.MAPPINGS),
                )
        except exceptions.ResourceClassNotFound as exc:
            raise http.error(
                webob.exc.HTTPBadRequest, f"Invalid resource class in resources parameter: {exc}"
            ) from None
        except exceptions.TraitNotFound as exc:
            raise http.error(webob.exc.HTTPBadRequest, str(exc)) from None
        resp = http.json_response(req, None, last_modified=True)
        requested = {rc for group in groups.values() for rc in group.resources}
        if result.encoded is not None:  # (the newest shape, already JSON text)
            requests_text, summaries_text = result.encoded
            resp.body = b"".join([
                b'{"allocation_requests":', *requests_text,
                b',"provider_summaries":', *summaries_text, b"}",
            ])
        else:
            resp.body = _encode({
                "allocation_requests": _allocation_requests(req, result.allocation_requests),
                "provider_summaries": _provider_summaries(
                    req, result.provider_summaries, requested
                ),
            })
        # Freed here, while the collector is paused: once it runs again, its first pass
        # would otherwise walk every container of the answer before they are freed.
        del result
    return resp
