"""interopcheck: do two clouds of a microversioned HTTP API really behave the same?

The public API (each name is imported on first use, so ``import interopcheck`` stays
cheap; the pytest plugin relies on that):

    from interopcheck import DiffOptions, diff_clouds, write_reports
    report = diff_clouds("http://a:8780", "http://b:8780",
                         options=DiffOptions(microversions="1.39"))
    write_reports(report, ["html", "json"], "reports/")

- run: :func:`diff_clouds` (two clouds), :func:`check_cloud` (one cloud, API-SIG rules),
  :func:`lint_spec` (an OpenAPI document); :func:`load_profile`, :func:`load_ignores`;
- results: :class:`Report`, :class:`CheckResult`, :class:`LintResult`, whose findings are
  :class:`AnyFinding` (a diff's :class:`Finding`), with a :class:`Severity`;
- output: :func:`render` and :func:`write_reports` for every kind of result;
- errors: everything interopcheck refuses is an :class:`InteropcheckError`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interopcheck.api import check_cloud, diff_clouds, lint_spec
    from interopcheck.check.run import CheckOptions, CheckResult
    from interopcheck.diff import DiffOptions
    from interopcheck.errors import InteropcheckError
    from interopcheck.findings import AnyFinding, Finding, Severity
    from interopcheck.ignores import load_ignores
    from interopcheck.lint.config import LintConfig
    from interopcheck.lint.engine import LintResult
    from interopcheck.outputs import render, write_reports
    from interopcheck.profile.loader import load_profile
    from interopcheck.profile.model import Profile
    from interopcheck.report import Report

__all__ = [
    "AnyFinding",
    "CheckOptions",
    "CheckResult",
    "DiffOptions",
    "Finding",
    "InteropcheckError",
    "LintConfig",
    "LintResult",
    "Profile",
    "Report",
    "Severity",
    "check_cloud",
    "diff_clouds",
    "lint_spec",
    "load_ignores",
    "load_profile",
    "render",
    "write_reports",
]
__version__ = "0.1.0"

#: Where each public name lives.
_HOMES = {
    "AnyFinding": "interopcheck.findings",
    "CheckOptions": "interopcheck.check.run",
    "CheckResult": "interopcheck.check.run",
    "DiffOptions": "interopcheck.diff",
    "Finding": "interopcheck.findings",
    "InteropcheckError": "interopcheck.errors",
    "LintConfig": "interopcheck.lint.config",
    "LintResult": "interopcheck.lint.engine",
    "Profile": "interopcheck.profile.model",
    "Report": "interopcheck.report",
    "Severity": "interopcheck.findings",
    "check_cloud": "interopcheck.api",
    "diff_clouds": "interopcheck.api",
    "lint_spec": "interopcheck.api",
    "load_ignores": "interopcheck.ignores",
    "load_profile": "interopcheck.profile.loader",
    "render": "interopcheck.outputs",
    "write_reports": "interopcheck.outputs",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'interopcheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
