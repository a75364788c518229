"""GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=RULE::message``."""

from __future__ import annotations

from interopcheck.lint.engine import LintResult
from interopcheck.lint.render._options import RenderOptions

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, options: RenderOptions | None = None) -> str:
    out = []
    for v in result.violations:
        loc = v.location
        props = [f"file={_escape_prop(loc.file if loc else result.spec)}"]
        if loc and loc.line:
            props += [f"line={loc.line}", f"col={loc.column}"]
        props.append(f"title={_escape_prop(v.rule)}")
        out.append(f"::{_LEVEL[v.severity.value]} {','.join(props)}::"
                   f"{_escape_data(f'{v.rule}: {v.message}')}")
    return "\n".join(out) + ("\n" if out else "")
