"""``interopcheck lint``: ``add_parser(subparsers)`` + ``run(args) -> int``.

Exit status: 0 no finding at or above ``--fail-on``; 1 findings; 2 the run failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from interopcheck.findings import Severity
from interopcheck.lint.config import ConfigError, load_config, load_ignore_file
from interopcheck.lint.engine import lint
from interopcheck.lint.loader import LoadError
from interopcheck.lint.render import FORMATS, RenderOptions
from interopcheck.rules.registry import REGISTRY

__all__ = ["add_parser", "main", "run"]

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2
_RANK = {"error": 0, "warning": 1, "info": 2}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "lint", help="check an OpenAPI document against the API-SIG guidelines",
        description="Lint an OpenAPI 3.0/3.1 document (YAML or JSON, multi-file $ref) against "
                    "the API-SIG rule catalog, or with --baseline compare two versions of it. "
                    "Exit 0: nothing at or above --fail-on; 1: findings; 2: the run failed.")
    p.add_argument("spec", metavar="SPEC", nargs="?", help="OpenAPI document (NEW with --baseline)")
    p.add_argument("--baseline", metavar="OLD",
                   help="compare SPEC with this older document: classify every change")
    p.add_argument("--format", "-f", default="text", choices=sorted(FORMATS),
                   help="output format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--config", metavar="FILE",
                   help="rule switches and levels (default: .interopcheck.yaml beside SPEC or "
                        "in the current directory)")
    p.add_argument("--ignore-file", metavar="FILE", help="YAML list of findings to ignore")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="run only these rules (repeatable)")
    p.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error",
                   help="lowest severity that makes the exit status 1 (default error)")
    p.add_argument("--junit-failures", default="error", metavar="SEVERITIES",
                   help="JUnit: comma-separated severities reported as <failure> "
                        "(default error)")
    p.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    p.set_defaults(_run=run)
    return p


def _list_rules(out: TextIO) -> int:
    for r in REGISTRY:
        out.write(f"{r.id:<11} {r.severity.value:<8} {'/'.join(sorted(r.modes)):<12} "
                  f"{r.description}\n")
    return EXIT_OK


def _fails(severities: Sequence[Severity], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    return any(_RANK[s.value] <= _RANK[fail_on] for s in severities)


def run(args: argparse.Namespace, *, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if args.list_rules:
        return _list_rules(out)
    if not args.spec:
        err.write("interopcheck lint: SPEC is required\n")
        return EXIT_FAILED
    try:
        spec_dir = Path(args.spec).resolve().parent
        search = spec_dir if (spec_dir / ".interopcheck.yaml").is_file() else Path.cwd()
        config = load_config(args.config, search=search)
        if args.ignore_file:
            config.ignores.extend(load_ignore_file(args.ignore_file))
        if args.rule:
            unknown = [r for r in args.rule if r not in REGISTRY]
            if unknown:
                raise ConfigError(f"unknown rule {unknown[0]!r}")
            config.only = set(args.rule)
        junit = tuple(Severity(s.strip()) for s in args.junit_failures.split(",") if s.strip())
        options = RenderOptions(junit_failures=junit)
        if args.baseline:
            from interopcheck.lint.spec_diff import diff_specs, render_diff

            report = diff_specs(args.baseline, args.spec)
            text = render_diff(report, args.format)
            severities = [c.severity for c in report.changes]
        else:
            result = lint(args.spec, config)
            text = FORMATS[args.format](result, options)
            severities = [v.severity for v in result.violations]
    except (LoadError, ConfigError, ValueError) as exc:
        err.write(f"interopcheck lint: {exc}\n")
        return EXIT_FAILED
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        out.write(text)
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
    sys.exit(main())
