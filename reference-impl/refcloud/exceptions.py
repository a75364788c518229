"""Domain exceptions raised by storage and translated to HTTP by handlers.

Each carries a ready message (``msg_fmt`` filled from keyword arguments), so
handlers can pass ``str(exc)`` through to the error body.
"""

from __future__ import annotations

from typing import Any


class RefcloudError(Exception):
    msg_fmt = "An unknown error occurred."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        super().__init__(message)


class NotFound(RefcloudError):
    msg_fmt = "Resource could not be found."


class ProviderNotFound(NotFound):
    msg_fmt = "No resource provider with uuid %(uuid)s found"


class ResourceClassNotFound(NotFound):
    msg_fmt = "No such resource class %(name)s."


class TraitNotFound(NotFound):
    msg_fmt = "No such trait(s): %(names)s."


class Conflict(RefcloudError):
    msg_fmt = "Conflict."


class DuplicateName(Conflict):
    msg_fmt = "Conflicting resource provider %(field)s: %(value)s already exists."


class ConcurrentUpdate(Conflict):
    """A generation compare-and-swap failed."""

    msg_fmt = "resource provider generation conflict"


class ConsumerGenerationConflict(Conflict):
    msg_fmt = "consumer generation conflict - expected %(expected)s but got %(got)s"


class InventoryInUse(Conflict):
    msg_fmt = "Inventory for %(resource_classes)s on resource provider %(uuid)s in use."


class ProviderInUse(Conflict):
    msg_fmt = "Unable to delete resource provider %(uuid)s: Resource provider has allocations."


class CannotDeleteParent(Conflict):
    msg_fmt = "Unable to delete parent resource provider %(uuid)s: It has child resource providers."


class InvalidInventory(RefcloudError):
    msg_fmt = "Inventory for '%(resource_class)s' on resource provider '%(uuid)s' invalid."


class InvalidInventoryCapacity(RefcloudError):
    msg_fmt = "Invalid inventory for '%(resource_class)s' on resource provider '%(uuid)s'."


class PolicyNotAuthorized(RefcloudError):
    """Raised by ``policy.authorize``; the dispatcher answers 403 (no ``Vary``, as Placement)."""

    msg_fmt = "Policy does not allow %(action)s to be performed."


class BadRequest(RefcloudError):
    msg_fmt = "Bad request."


class ObjectActionError(BadRequest):
    msg_fmt = "Object action %(action)s failed because: %(reason)s"
