"""The inventory calls a capabilities document needs beyond the profile's scenarios.

For Placement: ``GET /traits`` and ``GET /resource_classes`` at the cloud's top version,
before the scenarios run, so the lists hold the cloud's own names only. Names that the
profile's templates generate (``CUSTOM_X_<12 hex>``, left over by an interrupted run)
are dropped: they are run data, not capabilities.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from interopcheck.microversion import Version
from interopcheck.profile.model import Profile
from interopcheck.runner.clouds import Cloud

__all__ = ["GENERATED_NAME", "inventory"]

#: What ``$rc(X)`` / ``$trait(X)`` generate.
GENERATED_NAME = re.compile(r"^CUSTOM_[A-Z0-9_]*_[0-9A-F]{12}$")
#: service type -> (list name, URL, where the names are: "" a list of strings, else a key).
_LISTS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "placement": (("traits", "/traits", "traits", ""),
                  ("resource_classes", "/resource_classes", "resource_classes", "name")),
}


def _names(body: Any, key: str, field: str) -> list[str]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        return []
    names = [i.get(field) if field and isinstance(i, dict) else i for i in items]
    return sorted({n for n in names if isinstance(n, str) and not GENERATED_NAME.match(n)})


def _split(names: list[str]) -> dict[str, list[str]]:
    return {"standard": [n for n in names if not n.startswith("CUSTOM_")],
            "custom": [n for n in names if n.startswith("CUSTOM_")]}


def inventory(profile: Profile, cloud: Cloud, latest: Version) -> dict[str, Any]:
    """``{"traits": {"standard": [...], "custom": [...]}, ...}`` (empty when unknown)."""
    out: dict[str, Any] = {}
    headers = {profile.version_header: profile.version_value(latest)}
    if cloud.token:
        headers[profile.auth.header] = cloud.token
    for name, url, key, field in _LISTS.get(profile.service_type, ()):
        try:
            response = cloud.client().get(url, headers=headers)
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            body = None
        if body is not None:
            out[name] = _split(_names(body, key, field))
    return out
