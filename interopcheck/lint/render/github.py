"""GitHub Actions workflow commands: ``::error file=F,line=L,col=C,title=RULE::message``.

``file`` is relative to the base directory (``--base-dir``, default the repository root),
which is what GitHub resolves annotation paths against. GitHub shows only a few annotations
per step, so a root cause seen in many places is one annotation at its first place, saying
how many more there are.
"""

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
    counts = {c.id: c.count for c in result.causes}
    by_id = {c.id: c for c in result.causes}
    shown: set[str] = set()
    for v in result.violations:
        cause = v.extra.get("cause")
        if cause is not None:
            if cause in shown:
                continue
            shown.add(cause)
        more = counts.get(cause, 1) - 1 if cause else 0
        loc = v.location
        props = [f"file={_escape_prop((loc.file if loc else result.spec).replace(chr(92), '/'))}"]
        if loc and loc.line:
            props += [f"line={loc.line}", f"col={loc.column}"]
        props.append(f"title={_escape_prop(v.rule)}")
        text = f"{v.rule}: {by_id[cause].headline(v) if cause in by_id else v.message}"
        if more:
            text += f" (and {more} more place{'s' if more != 1 else ''} with the same cause)"
        out.append(f"::{_LEVEL[v.severity.value]} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(out) + ("\n" if out else "")
