"""pytest plugin: interop diffs and API-SIG guideline checks as tests, in anyone's CI.

Registered through the ``pytest11`` entry point ``interopcheck``. It does nothing unless
a URL option is given: without one no item is added, no fixture is set up, nothing is
contacted and nothing but this module and :mod:`.settings` is imported.

    pytest --interop-a URL_A --interop-b URL_B [--interop-microversions 1.0,1.20,latest-common]
           [--interop-profile placement] [--interop-baseline FILE] [--interop-report DIR]
    pytest --interop-cloud URL [--interop-check-mode strict|tolerant]

- Collection: one item per scenario x microversion (``placement::provider-lifecycle[1.20]``,
  marker ``interop_diff``), and with ``--interop-cloud`` the guideline checks
  (``placement::guideline::...``, marker ``interop_guideline``). Version discovery happens
  at collection: a cloud that cannot be reached is one collection error.
- Each item runs its scenario at its microversion through the project's pipeline
  (runner -> comparison -> findings) and fails with the findings as ``interopcheck diff``
  prints them.
- ``--interop-report DIR`` writes the same reports as ``interopcheck diff --report-dir``
  (and ``guidelines.{txt,json}``), once, merged over ``pytest-xdist`` workers: each worker
  writes its part (JSON) into a directory the controller gave it, and the controller
  merges them at ``pytest_sessionfinish``.
- Fixtures: ``interop_clients`` (A's and B's httpx clients, pinnable to a microversion),
  ``interop_compare`` (compare two responses, fail with the findings) and
  ``refcloud_url`` (a local refcloud on SQLite in a temporary directory, free port).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from interopcheck.pytest_plugin import settings as _settings
from interopcheck.pytest_plugin.settings import STATE_KEY

if TYPE_CHECKING:
    from interopcheck.pytest_plugin.clients import InteropClients, InteropCompare

__all__ = ["interop_clients", "interop_compare", "refcloud_url"]

#: Where an xdist worker writes its part (``workerinput`` key set by the controller).
PARTS_KEY = "interopcheck_parts_dir"

MARKERS = (
    "interop_diff: an interopcheck diff item (one scenario at one microversion on two clouds)",
    "interop_guideline: an interopcheck API-SIG guideline check item (one cloud)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    _settings.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    found = _settings.read(config)
    if found is None:
        return  # inactive: nothing else happens in this session
    from interopcheck.pytest_plugin.state import InteropState

    tokens = (config.getoption("interop_token_a"), config.getoption("interop_token_b"),
              config.getoption("interop_token"))
    config.stash[STATE_KEY] = InteropState(found, tokens)


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect the items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or state.settings.fixtures_only:
        return
    from interopcheck.pytest_plugin.items import InteropCollector

    name = state.profile.name
    collector = InteropCollector.from_parent(session, name=name, nodeid=name)
    items.extend(session.genitems(collector))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: tell each worker where to write its part of the results."""
    state = node.config.stash.get(STATE_KEY, None)
    if state is None:
        return
    if state.parts_dir is None:
        state.parts_dir = Path(tempfile.mkdtemp(prefix="interopcheck-parts-"))
    node.workerinput[PARTS_KEY] = str(state.parts_dir)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None:
        return
    workerinput = getattr(session.config, "workerinput", None)
    try:
        if workerinput is not None:  # an xdist worker: hand the results on
            directory = workerinput.get(PARTS_KEY)
            if directory:
                state.write_part(Path(directory), str(workerinput.get("workerid", "worker")))
        else:  # the controller (or a run without xdist): merge and render once
            state.write_reports()
    finally:
        state.close()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or not (state.summary or state.written):
        return
    terminalreporter.write_sep("-", "interopcheck")
    for line in state.summary:
        terminalreporter.write_line(line)
    if state.written:
        terminalreporter.write_line("reports: " + ", ".join(state.written))


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None and state.parts_dir is not None:
        shutil.rmtree(state.parts_dir, ignore_errors=True)


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def interop_clients(pytestconfig: pytest.Config) -> Iterator[InteropClients]:
    """Cloud A's and B's httpx clients (``.a``, ``.b``), with the token; ``.pin(version)``
    or ``with interop_clients.pinned("1.20"):`` sends a microversion. Needs --interop-a
    and --interop-b (the test is skipped without them)."""
    state = pytestconfig.stash.get(STATE_KEY, None)
    if state is None or not state.settings.diff:
        pytest.skip("interop_clients needs --interop-a URL and --interop-b URL")
    from interopcheck.pytest_plugin.clients import InteropClients

    token_a, token_b = state.tokens()
    named = state.settings.os_cloud_a or state.settings.os_cloud_b  # clouds of clouds.yaml
    clouds = state.get_clouds() if named else None
    url_a = clouds.a.base_url if clouds else state.settings.url_a
    url_b = clouds.b.base_url if clouds else state.settings.url_b
    assert url_a and url_b
    clients = InteropClients(state.profile, url_a, url_b, token_a, token_b,
                             state.settings.timeout, state.common, clouds=clouds)
    try:
        yield clients
    finally:
        clients.close()


@pytest.fixture
def interop_compare(pytestconfig: pytest.Config) -> InteropCompare:
    """``interop_compare(resp_a, resp_b, ignore=(), name="", call="")``: compare two
    ``httpx.Response`` objects structurally and fail the test with the findings (returns
    ``[]`` when they match). Works without any --interop option."""
    from interopcheck.pytest_plugin.clients import InteropCompare

    state = pytestconfig.stash.get(STATE_KEY, None)
    if state is None:
        return InteropCompare()
    return InteropCompare(state.profile, state.diff_options.ignores)


@pytest.fixture(scope="session")
def refcloud_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local refcloud (``refcloud serve``: SQLite in a temporary directory, a free
    loopback port, Placement only) for the session; its root URL. Admin token: ``admin``."""
    from interopcheck.launcher import start_refcloud

    with start_refcloud(tmp_path_factory.mktemp("refcloud")) as server:
        yield server.url
