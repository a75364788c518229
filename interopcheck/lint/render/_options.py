from __future__ import annotations

from dataclasses import dataclass

from interopcheck.findings import Severity

__all__ = ["RenderOptions"]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    #: JUnit: severities reported as <failure>; the others become passing test cases
    #: with the finding in <system-out>.
    junit_failures: tuple[Severity, ...] = (Severity.ERROR,)
    tool_version: str = "0"
    #: SARIF ``originalUriBaseIds[%SRCROOT%]``: the directory file paths are relative to
    base_uri: str | None = None
