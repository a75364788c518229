"""Handler for POST /reshaper: move inventory and allocations atomically.

Used when inventory of some class moves between providers of a tree (for
example from a compute node to a new child), together with the allocations
against it.
"""

from __future__ import annotations

import webob
import webob.exc

from refcloud import errors, exceptions, http, microversion, policy, storage
from refcloud.placement.handlers import allocation
from refcloud.placement.schemas import reshaper as schema
from refcloud.storage import allocations as allocations_db


@http.handler
@microversion.version_handler(microversion.RESHAPER)
@http.require_content("application/json")
def reshape(req: webob.Request) -> webob.Response:
    """POST /reshaper: 204 from 1.30 (404 before).

    The allocations follow the 1.28 POST /allocations rules, with mappings
    accepted from 1.34 and consumer_type required from 1.38.
    """
    policy.authorize(req, "placement:reshaper:reshape")
    data = http.extract_json(req.body, microversion.pick(req, schema.POST_SCHEMAS))
    targets = [
        allocations_db.ProviderInventories(
            uuid=rp_uuid,
            generation=body["resource_provider_generation"],
            inventories=body["inventories"],
        )
        for rp_uuid, body in data["inventories"].items()
    ]
    requests = allocation.consumer_requests(
        data["allocations"], with_type=microversion.at_least(req, microversion.CONSUMER_TYPES)
    )
    try:
        allocations_db.reshape(
            storage.of(req), targets, requests, attempts=allocation.retry_count(req)
        )
    except allocations_db.ReshapeProviderNotFound as exc:
        raise http.error(
            webob.exc.HTTPBadRequest, str(exc), code=errors.RESOURCE_PROVIDER_NOT_FOUND
        ) from None
    except (allocations_db.ReshapeGenerationConflict, exceptions.ConsumerGenerationConflict) as exc:
        raise http.error(
            webob.exc.HTTPConflict, str(exc), code=errors.CONCURRENT_UPDATE
        ) from None
    except exceptions.BadRequest as exc:  # unknown allocation provider, unstorable text
        raise http.error(webob.exc.HTTPBadRequest, str(exc)) from None
    except exceptions.ConcurrentUpdate as exc:
        raise http.error(
            webob.exc.HTTPConflict, f"update conflict: {exc}", code=errors.CONCURRENT_UPDATE
        ) from None
    except exceptions.NotFound as exc:
        raise http.error(webob.exc.HTTPBadRequest, f"malformed reshaper data: {exc}") from None
    except exceptions.InventoryInUse as exc:
        raise http.error(
            webob.exc.HTTPConflict, f"update conflict: {exc}", code=errors.INVENTORY_INUSE
        ) from None
    except exceptions.InvalidInventory as exc:
        raise http.error(
            webob.exc.HTTPConflict, f"Unable to allocate inventory: {exc}"
        ) from None
    return http.empty_response(req, status=204)
