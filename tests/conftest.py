"""Shared fixtures: an in-process refcloud over httpx's WSGI transport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import refcloud

pytest_plugins = ["pytester"]

ADMIN = {"x-auth-token": "admin"}


@pytest.fixture
def refcloud_app(tmp_path: Path) -> refcloud.app.RefcloudApp:
    """A fresh refcloud on a private SQLite file."""
    return refcloud.make_app(refcloud.Config(db_url=f"sqlite:///{tmp_path / 'refcloud.db'}"))


@pytest.fixture
def app_client(refcloud_app: refcloud.app.RefcloudApp) -> Iterator[httpx.Client]:
    """A client with no credentials."""
    with httpx.Client(transport=httpx.WSGITransport(app=refcloud_app),
                      base_url="http://refcloud") as c:
        yield c


@pytest.fixture
def client(refcloud_app: refcloud.app.RefcloudApp) -> Iterator[httpx.Client]:
    """An admin client (noauth2 token ``admin``)."""
    with httpx.Client(transport=httpx.WSGITransport(app=refcloud_app),
                      base_url="http://refcloud", headers=ADMIN) as c:
        yield c
