"""The realcloud test bed, once per session (see :mod:`tests.support.testbed`).

Keystone issues tokens that live ``$INTEROPCHECK_TESTBED_TOKEN_EXPIRATION`` seconds
(default 60), so every sweep longer than a minute has to renew its token.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.keystone_server import KeystoneUnavailable
from tests.support.nginx_tls import NginxUnavailable
from tests.support.testbed import Testbed, TestbedError, testbed


@pytest.fixture(scope="session")
def bed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Testbed]:
    expiration = int(os.environ.get("INTEROPCHECK_TESTBED_TOKEN_EXPIRATION", "60"))
    try:
        with testbed(tmp_path_factory.mktemp("testbed"), token_expiration=expiration) as b:
            yield b
    except (TestbedError, KeystoneUnavailable, NginxUnavailable) as exc:
        pytest.fail(f"cannot start the realcloud test bed: {exc}", pytrace=False)
