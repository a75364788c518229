"""``interopcheck lint``: ``add_parser(subparsers)`` + ``run(args) -> int``.

Exit status: 0 no finding at or above ``--fail-on``; 1 findings; 2 the run failed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from interopcheck.exitcodes import EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from interopcheck.findings import Severity
from interopcheck.lint.config import ConfigError, load_config, load_ignore_file
from interopcheck.lint.engine import LintResult, gc_paused, lint
from interopcheck.lint.loader import DEFAULT_MAX_BYTES, LoadError
from interopcheck.lint.render import FORMATS, WRITERS, RenderOptions
from interopcheck.lint.spec_diff import CHANGE_RULES
from interopcheck.rules.registry import REGISTRY

__all__ = ["ALIASES", "add_parser", "add_path_options", "base_dir", "exit_now", "main",
           "reports_written", "run", "tool_version"]


#: Spectral's names for the same formats
ALIASES = {"github-actions": "github", "stylish": "text"}


def tool_version() -> str:
    """The installed distribution's version (what SARIF ``driver.version`` reports)."""
    from importlib import metadata  # only SARIF asks: not imported by every run

    try:
        return metadata.version("interopcheck")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        from interopcheck import __version__

        return __version__
_RANK = {"error": 0, "warning": 1, "info": 2}
#: lint runs in this process that got as far as writing their report (see exit_now)
_written = [0]


def reports_written() -> int:
    """How many lint reports this process has written (the console script compares the
    count before and after its run to know whether it may leave with :func:`exit_now`)."""
    return _written[0]


def exit_now(code: int) -> NoReturn:
    """End the process at once, its output flushed: for the console scripts only, never for
    callers of :func:`main` or :func:`run` in-process.

    A lint run leaves millions of objects (the parsed document, targets, findings, some in
    reference cycles) that an ordinary interpreter exit frees one by one: about a second on
    Microsoft Graph beta, for nothing. The report file is closed by then;
    standard output and error are flushed here (as ruff and mypy leave)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = EXIT_BROKEN_PIPE
    except (OSError, ValueError):
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "lint", help="check an OpenAPI document against the API-SIG guidelines",
        description="Lint an OpenAPI 3.0/3.1 document (YAML or JSON, multi-file $ref) against "
                    "the API-SIG rule catalog, or with --baseline compare two versions of it. "
                    "Exit 0: nothing at or above --fail-on; 1: findings; 2: the run failed.")
    p.add_argument("spec", metavar="SPEC", nargs="?", help="OpenAPI document (NEW with --baseline)")
    p.add_argument("--baseline", metavar="OLD",
                   help="compare SPEC with this older document: classify every change")
    p.add_argument("--format", "-f", default="text", choices=sorted({*FORMATS, *ALIASES}),
                   help="output format (default text; github-actions = github, stylish = "
                        "text, as Spectral names them)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--config", metavar="FILE",
                   help="rule switches and levels (default: .interopcheck.yaml beside SPEC or "
                        "in the current directory)")
    p.add_argument("--ignore-file", metavar="FILE", help="YAML list of findings to ignore")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="run only these rules (repeatable or comma-separated; an unknown "
                        "id is refused)")
    p.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error",
                   help="lowest severity that makes the exit status 1 (default error)")
    p.add_argument("--junit-failures", default="error", metavar="SEVERITIES",
                   help="JUnit: comma-separated severities reported as <failure> "
                        "(default error)")
    add_path_options(p)
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.set_defaults(_run=run)
    return p


def add_path_options(p: argparse.ArgumentParser) -> None:
    """--base-dir, --allow-ref, --max-size (shared with ``interopcheck breaking``)."""
    p.add_argument("--base-dir", metavar="DIR",
                   help="report file paths relative to DIR (SARIF uriBaseId %%SRCROOT%%); "
                        "default: the git top level of the current directory, else the "
                        "current directory")
    p.add_argument("--allow-ref", action="append", default=[], metavar="DIR",
                   help="let $ref read files under DIR too (default: only under the spec's "
                        "directory; remote $refs are never fetched); repeatable")
    p.add_argument("--max-size", type=int, default=DEFAULT_MAX_BYTES // 2**20, metavar="MIB",
                   help=f"refuse files larger than this (default {DEFAULT_MAX_BYTES // 2**20})")


def git_top_level(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` holding ``.git`` (no git binary needed)."""
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return None


def base_dir(option: str | None) -> Path:
    if option:
        return Path(option).resolve()
    cwd = Path.cwd().resolve()
    return git_top_level(cwd) or cwd


def render_options(args: argparse.Namespace, base: Path) -> RenderOptions:
    junit = tuple(Severity(s.strip()) for s in args.junit_failures.split(",") if s.strip())
    fmt = getattr(args, "format", "sarif")
    if ALIASES.get(fmt, fmt) == "sarif":  # the only format that reports the version
        return RenderOptions(junit_failures=junit, tool_version=tool_version(),
                             base_uri=base.as_uri() + "/")
    return RenderOptions(junit_failures=junit, base_uri=base.as_uri() + "/")


def _list_rules(out: TextIO) -> int:
    for r in REGISTRY:
        out.write(f"{r.id:<11} {r.severity.value:<8} {'/'.join(sorted(r.modes)):<12} "
                  f"{r.description}\n")
    return EXIT_OK


def _fails(severities: Sequence[Severity], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return any(_RANK[s.value] <= _RANK[fail_on] for s in severities)


class _WriteError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _write_report(path: str, writer: Callable[[LintResult, RenderOptions, TextIO], None],
                  result: LintResult, options: RenderOptions) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            writer(result, options, fh)
    except OSError as exc:
        raise _WriteError(exc.strerror or str(exc)) from None


def run(args: argparse.Namespace, *, stdout: TextIO | None = None,
        stderr: TextIO | None = None, prog: str = "interopcheck lint") -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if args.list_rules:
        return _list_rules(out)
    if not args.spec:
        err.write(f"{prog}: SPEC is required\n")
        return EXIT_FAILED
    try:
        spec_dir = Path(args.spec).resolve().parent
        search = spec_dir if (spec_dir / ".interopcheck.yaml").is_file() else Path.cwd()
        config = load_config(args.config, search=search)
        if args.ignore_file:
            config.ignores.extend(load_ignore_file(args.ignore_file))
        rules = [r.strip() for item in args.rule for r in item.split(",") if r.strip()]
        if rules:  # as check --rule/--disable: repeatable or comma-separated, unknown refused
            unknown = [r for r in rules if r not in REGISTRY and r not in CHANGE_RULES]
            if unknown:
                raise ConfigError(f"--rule: unknown rule {unknown[0]!r} (--list-rules "
                                  "lists them)")
            config.only = set(rules)
        base = base_dir(args.base_dir)
        options = render_options(args, base)
        fmt = ALIASES.get(args.format, args.format)
        text: str | None = None
        if args.baseline:
            from interopcheck.lint.breaking import run_breaking

            text, severities = run_breaking(args.baseline, args.spec, config, fmt, options,
                                            base=base, allow_refs=args.allow_ref,
                                            max_bytes=args.max_size * 2**20)
        else:
            with gc_paused():  # the report of a large document: see gc_paused
                result = lint(args.spec, config, base_dir=base, allow_refs=args.allow_ref,
                              max_bytes=args.max_size * 2**20)
                if args.output and fmt in WRITERS:  # straight to the file, piece by piece
                    _write_report(args.output, WRITERS[fmt], result, options)
                else:
                    text = FORMATS[fmt](result, options)
            severities = [v.severity for v in result.violations]
    except (LoadError, ConfigError, ValueError) as exc:
        err.write(f"{prog}: {exc}\n")
        return EXIT_FAILED
    except _WriteError as exc:
        err.write(f"{prog}: cannot write {args.output}: {exc.reason}\n")
        return EXIT_FAILED
    if text is None:  # already written, piece by piece (WRITERS)
        pass
    elif args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            err.write(f"{prog}: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_FAILED
    else:
        out.write(text)
    _written[0] += 1
    return EXIT_FINDINGS if _fails(severities, args.fail_on) else EXIT_OK


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Standalone entry (``python -m interopcheck.lint.cli``), same as ``interopcheck lint``."""
    parser = argparse.ArgumentParser(prog="interopcheck")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(["lint", *(argv if argv is not None else sys.argv[1:])])
    return run(args, stdout=stdout, stderr=stderr)


if __name__ == "__main__":  # pragma: no cover
    exit_now(main())
