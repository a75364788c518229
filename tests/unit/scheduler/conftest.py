"""Fixtures: a fresh in-process refcloud Placement, and a Cloud of hosts on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import refcloud
from refcloud.scheduler.client import PlacementClient

from .cloud import Cloud


@pytest.fixture
def placement() -> Iterator[PlacementClient]:
    app = refcloud.make_app(refcloud.Config(db_url="sqlite://"))
    client = PlacementClient.in_process(app, retry_factor=0.0)
    yield client
    client.close()
    app.db.dispose()


@pytest.fixture
def cloud(placement: PlacementClient) -> Cloud:
    return Cloud(placement)
