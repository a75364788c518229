"""``interopcheck breaking OLD NEW``: ``add_parser(subparsers)`` + ``run(args) -> int``.

The same run as ``interopcheck lint NEW --baseline OLD`` (kept as an alias); the options are
lint's. Exit status: 0 no change at or above ``--fail-on``; 1 such changes; 2 the run failed.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from interopcheck.lint import cli as lint_cli
from interopcheck.lint.render import FORMATS

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "breaking", help="classify every change between two versions of an OpenAPI document",
        description="Compare OLD and NEW (OpenAPI 3.0/3.1): every change with its verdicts "
                    "(breaks clients? needs a microversion bump?); levels follow the verdicts "
                    "(error: breaks clients; warning: compatible but needs a bump; info: "
                    "behind a new microversion). NEW is validated as `lint` validates. "
                    "Exit 0: nothing at or above --fail-on; 1: changes; 2: the run failed.")
    p.add_argument("old", metavar="OLD", help="the older document")
    p.add_argument("new", metavar="NEW", help="the newer document")
    p.add_argument("--format", "-f", default="text",
                   choices=sorted({*FORMATS, *lint_cli.ALIASES}),
                   help="output format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--config", metavar="FILE",
                   help="rule switches and levels (INTEROP002-009, OAS001-004), ignore-file")
    p.add_argument("--ignore-file", metavar="FILE", help="YAML list of changes to ignore")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="report only these rules (repeatable or comma-separated; an "
                        "unknown id is refused)")
    p.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error",
                   help="lowest level that makes the exit status 1 (default error: a change "
                        "that breaks clients)")
    p.add_argument("--junit-failures", default="error", metavar="SEVERITIES",
                   help="JUnit: comma-separated severities reported as <failure>")
    lint_cli.add_path_options(p)
    p.set_defaults(_run=run)
    return p


def run(args: argparse.Namespace, *, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    args.spec, args.baseline, args.list_rules = args.new, args.old, False
    return lint_cli.run(args, stdout=stdout, stderr=stderr, prog="interopcheck breaking")
