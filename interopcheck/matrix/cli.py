"""``interopcheck matrix SNAPSHOT...``: the N x N compatibility matrix, offline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from interopcheck.diff import DiffOptions
from interopcheck.exitcodes import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from interopcheck.matrix.compute import build_matrix
from interopcheck.matrix.render import FORMATS
from interopcheck.profile.loader import load_profile
from interopcheck.snapshot.format import SnapshotError, load_snapshot

__all__ = ["add_parser", "run"]


_EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json", "html": "html"}


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``matrix`` on the main parser's subparsers."""
    p = subparsers.add_parser(
        "matrix", help="compare every pair of recorded clouds (snapshots), offline",
        description="The N x N compatibility matrix of recorded clouds: for every ordered "
                    "pair, the root causes that break clients or need a version bump, with "
                    "the microversions they show at. Nothing is sent anywhere. Exit 0: no "
                    "such cause; 1: some; 2: the matrix could not be built.")
    p.add_argument("snapshots", nargs="+", metavar="SNAPSHOT",
                   help="snapshot files or packaged reference names (placement-16.0)")
    p.add_argument("--profile", default="placement", help="profile name or YAML file")
    p.add_argument("--microversions", default="all", metavar="SPEC",
                   help="all (default: every version both clouds of a pair serve), "
                        "latest-common, a list 1.2,1.14 or a range 1.10-1.20")
    p.add_argument("--scenario", action="append", default=[], metavar="GLOB",
                   help="compare only scenarios whose name matches (repeatable)")
    p.add_argument("--format", choices=list(FORMATS), default="text",
                   help="report format on stdout (default text)")
    p.add_argument("--report-dir", metavar="DIR",
                   help="also write matrix.{txt,md,json,html} into DIR")
    return p


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if len(args.snapshots) < 2:
        err.write("interopcheck: matrix needs at least two snapshots\n")
        return EXIT_FAILED
    profile = load_profile(args.profile)
    try:
        snapshots = [load_snapshot(ref) for ref in args.snapshots]
        options = DiffOptions(microversions=args.microversions,
                              scenarios=tuple(args.scenario), concurrency=1)
        matrix = build_matrix(profile, snapshots, list(args.snapshots), options)
    except SnapshotError as exc:
        err.write(f"interopcheck: {exc}\n")
        return EXIT_FAILED
    out.write(FORMATS[args.format](matrix))
    if args.report_dir:
        folder = Path(args.report_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, render in FORMATS.items():
                (folder / f"matrix.{_EXTENSIONS[name]}").write_text(render(matrix),
                                                                     encoding="utf-8")
        except OSError as exc:
            err.write(f"interopcheck: --report-dir {args.report_dir}: cannot write: "
                      f"{exc.strerror or exc}\n")
            return EXIT_FAILED
    failing = any(p.failing for p in matrix.pairs.values())
    return EXIT_FINDINGS if failing else EXIT_OK
