"""The collected tests: one item per scenario x microversion, and the guideline checks.

    placement                                      (InteropCollector: discovery happens here)
    placement::provider-lifecycle[1.20]            (DiffItem, marker interop_diff)
    placement::guideline                           (GuidelineCollector)
    placement::guideline::discovery-and-probes     (GuidelineItem, marker interop_guideline)
    placement::guideline::provider-lifecycle[1.0]  (GuidelineItem)

A cloud that cannot be discovered is one collection error on the collector (a clear
message, no traceback), not a failure per item. A failing item shows its findings the
way ``interopcheck diff`` prints them (kind, path, what each cloud sent, verdicts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from interopcheck.causes import failing, group_causes
from interopcheck.check import CheckResult
from interopcheck.errors import InteropcheckError
from interopcheck.microversion import Version
from interopcheck.profile.model import Scenario
from interopcheck.pytest_plugin.settings import STATE_KEY
from interopcheck.pytest_plugin.state import CollectError, DiffJob, InteropState
from interopcheck.render import text
from interopcheck.render._common import plural, shorten

__all__ = ["DiffItem", "FailureRepr", "GuidelineCollector", "GuidelineItem",
           "InteropCollector"]

PROBES_ITEM = "discovery-and-probes"


def state_of(node: pytest.Item | pytest.Collector) -> InteropState:
    return node.config.stash[STATE_KEY]


class _Crash:
    """The one-line message pytest shows in the short summary and JUnit's ``message``."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.lineno = 0
        self.message = message


class FailureRepr:
    """A failure shown as plain lines (no traceback): what ``repr_failure`` returns."""

    def __init__(self, lines: Sequence[str], path: str = "") -> None:
        self.lines = list(lines)
        self.reprcrash = _Crash(path, self.lines[0] if self.lines else "")

    def toterminal(self, tw: Any) -> None:
        for line in self.lines:
            tw.line(line)

    def __str__(self) -> str:
        return "\n".join(self.lines)


class InteropDiffFailure(InteropcheckError):
    """A diff item found differences (or could not compare)."""

    def __init__(self, job: DiffJob) -> None:
        result = job.result
        super().__init__(f"{len(result.findings)} findings, {len(result.problems)} problems")
        self.job = job


class InteropCheckFailure(InteropcheckError):
    """A guideline item found violations (or could not check)."""

    def __init__(self, result: CheckResult, failing: Sequence[Any]) -> None:
        super().__init__(f"{len(failing)} failing findings")
        self.result = result
        self.failing = list(failing)


def _child_id(parent: pytest.Collector, name: str) -> str:
    """The item's node id as a string: pytest parses ``name[1.20]`` into name and params,
    as for a parametrized test, so that ``--lf`` and ``--deselect`` recognise it."""
    return f"{parent.nodeid}::{name}"


class _Collector(pytest.Collector):
    """A collector whose CollectError shows as its message alone (no traceback)."""

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     ) -> str | Any:
        if isinstance(excinfo.value, CollectError):
            return f"interopcheck: {excinfo.value}"
        return super().repr_failure(excinfo)


class InteropCollector(_Collector):
    """The profile: its diff items and the guideline collector. Discovery runs here."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        state = state_of(self)
        nodes: list[pytest.Item | pytest.Collector] = []
        if state.settings.diff:
            for scenario, version in state.diff_plan():
                name = f"{scenario.name}[{version}]"
                nodes.append(DiffItem.from_parent(self, name=name, nodeid=_child_id(self, name),
                                                  scenario=scenario, version=version))
        if state.settings.guideline:
            nodes.append(GuidelineCollector.from_parent(self, name="guideline"))
        return nodes


class GuidelineCollector(_Collector):
    """The guideline checks of ``--interop-cloud``: discovery and probes, then scenarios."""

    def collect(self) -> Iterable[pytest.Item]:
        state = state_of(self)
        jobs = state.check_plan()
        items = [GuidelineItem.from_parent(self, name=PROBES_ITEM, scenario=None, version=None)]
        for scenario, version in jobs:
            name = f"{scenario.name}[{version}]"
            items.append(GuidelineItem.from_parent(self, name=name, nodeid=_child_id(self, name),
                                                   scenario=scenario, version=version))
        return items


class _InteropItem(pytest.Item):
    scenario: Scenario | None
    version: Version | None
    label = ""

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """The profile file, and ``placement: provider-lifecycle at 1.20`` (failure titles)."""
        state = state_of(self)
        what = (f"{self.scenario.name} at {self.version}" if self.scenario is not None
                else PROBES_ITEM)
        return (Path(state.profile.path).resolve(), None,
                f"{state.profile.name}{self.label}: {what}")


class DiffItem(_InteropItem):
    """One scenario at one microversion, run on A and B and compared."""

    def __init__(self, *, scenario: Scenario, version: Version, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.version = version
        self.add_marker("interop_diff")

    def runtest(self) -> None:
        job = state_of(self).run_diff_job(self.scenario, self.version)
        result = job.result
        if result.baselined:
            self.user_properties.append(("interop_baselined", str(len(result.baselined))))
        if failing(result.findings, state_of(self).diff_options.fail_on) or result.problems:
            raise InteropDiffFailure(job)
        if result.calls and all(c.skipped for c in result.calls):
            pytest.skip(result.calls[0].skipped or "skipped")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, InteropDiffFailure):
            return self._failure(excinfo.value.job)
        return super().repr_failure(excinfo, style=style)

    def _failure(self, job: DiffJob) -> FailureRepr:
        state = state_of(self)
        result = job.result
        findings = list(result.findings)
        where = f"{self.scenario.name} @ {self.version}"
        if findings:
            causes = group_causes(findings)
            first = causes[0]
            head = (f"{where}: {plural(len(causes), 'cause')} ({plural(len(findings), 'finding')})"
                    f": {first.kind} at {first.path} in {plural(first.calls, 'call')}: A sent "
                    f"{shorten(first.a, 60)} | B sent {shorten(first.b, 60)}")
            if len(causes) > 1:
                head += f" (+{len(causes) - 1} more causes)"
        else:
            head = f"{where}: not compared: {result.problems[0].line()}"
        # Then the terminal report of this one job, without its title and exit code line.
        body = text.render(job.report).rstrip("\n").splitlines()[1:]
        if body and body[-1].startswith("exit code"):
            body = body[:-1]
        lines = [head, "", *body]
        return FailureRepr([state.scrub(line) for line in lines], str(state.profile.path))


class GuidelineItem(_InteropItem):
    """The API-SIG guideline rules on one scenario at one version (or the probes)."""

    label = " guideline"

    def __init__(self, *, scenario: Scenario | None, version: Version | None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.version = version
        self.add_marker("interop_guideline")

    def runtest(self) -> None:
        state = state_of(self)
        result = state.run_check_job(self.scenario, self.version)
        failing = result.failing(state.settings.check_mode)
        if failing or result.broken or result.issues:
            raise InteropCheckFailure(result, failing)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str | Any:
        if isinstance(excinfo.value, InteropCheckFailure):
            return self._failure(excinfo.value.result, excinfo.value.failing)
        return super().repr_failure(excinfo, style=style)

    def _failure(self, result: CheckResult, failing: Sequence[Any]) -> FailureRepr:
        from interopcheck.check.report import to_text

        state = state_of(self)
        mode = state.settings.check_mode
        where = (f"{self.scenario.name} @ {self.version}" if self.scenario is not None
                 else PROBES_ITEM)
        if failing:
            first = failing[0]
            head = (f"{where}: {plural(len(failing), 'finding')} fail in {mode} mode: "
                    f"{first.rule} {shorten(first.message, 120)}")
            if len(failing) > 1:
                head += f" (+{len(failing) - 1} more)"
        elif result.issues:
            issue = result.issues[0]
            head = f"{where}: not checked: {issue.where}: {issue.what} ({issue.what_to_do})"
        else:
            head = f"{where}: not checked"
        body = to_text(result).rstrip("\n").splitlines()
        lines = [head, "", *body]
        return FailureRepr([state.scrub(line) for line in lines], str(state.profile.path))
