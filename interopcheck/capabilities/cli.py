"""``interopcheck capabilities CLOUD`` and ``interopcheck capabilities diff A B``.

CLOUD is a snapshot file, a packaged reference name (``placement-16.0``) or a URL (then
the profile is recorded in memory first, which takes as long as ``record``).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import httpx

from interopcheck.capabilities.collect import inventory
from interopcheck.capabilities.document import build_document, diff_documents
from interopcheck.exitcodes import EXIT_FAILED, EXIT_OK
from interopcheck.exitcodes import EXIT_FINDINGS as EXIT_DIFFERENT
from interopcheck.profile.loader import load_profile
from interopcheck.runner import cloud_options
from interopcheck.runner.run import Progress
from interopcheck.snapshot.cli import live_cloud
from interopcheck.snapshot.format import Snapshot, SnapshotError, load_snapshot
from interopcheck.snapshot.record import record

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``capabilities`` on the main parser's subparsers."""
    p = subparsers.add_parser(
        "capabilities", help="the capabilities document of a cloud (or: capabilities diff A B)",
        description="Write what one cloud can do as a small JSON document: service and "
                    "version range, the routes found at each microversion, standard and "
                    "custom traits and resource classes, features. 'capabilities diff A B' "
                    "lists what one can do that the other cannot (exit 1 when they differ).")
    p.add_argument("targets", nargs="*", metavar="CLOUD",
                   help="a snapshot file, a packaged reference name or a URL (optional with "
                        "--os-cloud or $OS_CLOUD); or: diff A B")
    p.add_argument("--profile", default="placement", help="profile name or YAML file")
    p.add_argument("--token", help="token for a URL (default: $INTEROPCHECK_TOKEN)")
    p.add_argument("--output", metavar="FILE", help="write the JSON there instead of stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="per-call timeout for a live cloud (default 30)")
    cloud_options.add_check_options(p)  # --os-cloud, --header, TLS, catalog (as check)
    return p


def _snapshot(ref: str | None, args: argparse.Namespace,
              transports: Mapping[str, httpx.BaseTransport], err: TextIO) -> Snapshot:
    """A snapshot by file or packaged name, else recorded now from a URL or --os-cloud."""
    if ref is not None and not ref.startswith(("http://", "https://")):
        return load_snapshot(ref)
    profile = load_profile(args.profile)
    os_cloud = args.os_cloud or (None if ref else os.environ.get("OS_CLOUD") or None)
    cloud = live_cloud(args, profile, ref, os_cloud, transports.get("A"))
    try:
        return record(profile, cloud, progress=Progress(err, enabled=not args.quiet),
                      extras=inventory)
    finally:
        cloud.close()


def run(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport],
        out: TextIO, err: TextIO) -> int:
    targets = list(args.targets)
    try:
        if targets and targets[0] == "diff":
            if len(targets) != 3:
                err.write("interopcheck: capabilities diff needs two clouds: "
                          "capabilities diff A B\n")
                return EXIT_FAILED
            docs = [build_document(_snapshot(t, args, transports, err)) for t in targets[1:]]
            result: dict[str, Any] = diff_documents(*docs)
            code = EXIT_DIFFERENT if result["only_a"] or result["only_b"] else EXIT_OK
        elif len(targets) <= 1:
            result = build_document(_snapshot(targets[0] if targets else None, args,
                                              transports, err))
            code = EXIT_OK
        else:
            err.write("interopcheck: capabilities takes one CLOUD (or: capabilities diff A B)\n")
            return EXIT_FAILED
    except SnapshotError as exc:
        err.write(f"interopcheck: {exc}\n")
        return EXIT_FAILED
    text = json.dumps(result, indent=1, sort_keys=False) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            err.write(f"interopcheck: --output {args.output}: cannot write it: "
                      f"{exc.strerror or exc}\n")
            return EXIT_FAILED
    else:
        out.write(text)
    return code
