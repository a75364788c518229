"""``interopcheck survey SPEC...``: ``add_parser(subparsers)`` + ``run(args) -> int``.

Exit status: 0 the survey was written; 2 a document could not be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from interopcheck.lint.loader import LoadError
from interopcheck.survey.analyze import survey_files
from interopcheck.survey.render import FORMATS, render

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "survey", help="count payload conventions across OpenAPI documents",
        description="Per document and overall: which single-resource form each response uses "
                    "(bare, wrapped, one-element list, wrapped list), the collection format, "
                    "the action style, the error format and the microversion headers.")
    p.add_argument("specs", metavar="SPEC", nargs="+", help="OpenAPI documents")
    p.add_argument("--format", "-f", default="text", choices=sorted(FORMATS),
                   help="output format (default text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the survey here, not stdout")
    p.set_defaults(_run=run)
    return p


def run(args: argparse.Namespace, *, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        text = render(survey_files(args.specs), args.format)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            out.write(text)
    except LoadError as exc:
        err.write(f"interopcheck survey: {exc}\n")
        return 2
    except OSError as exc:
        err.write(f"interopcheck survey: cannot write {args.output}: {exc.strerror or exc}\n")
        return 2
    return 0
