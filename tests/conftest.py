"""Shared fixtures: an in-process refcloud over httpx's WSGI transport."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import refcloud

from tests.support.postgres import PostgresServer, PostgresUnavailable

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A private PostgreSQL cluster (Debian's package; installed first when root and missing)."""
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """SQLAlchemy URL of an empty ``refcloud`` database on ``postgres_server``."""
    return postgres_server.create_database("refcloud")
