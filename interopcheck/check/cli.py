"""``interopcheck check URL --profile NAME``: the live API-SIG guideline checks.

Exit status: 0 when the chosen ``--mode`` passes, 1 when it fails, 2 when nothing could
be checked (no version range: wrong URL, service down). Both modes are always judged
and printed; ``--mode`` only picks which one decides the exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import httpx

from interopcheck.check.report import to_json, to_text
from interopcheck.check.run import MODES, CheckOptions, run_check
from interopcheck.errors import UsageError
from interopcheck.exitcodes import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from interopcheck.findings import Severity
from interopcheck.profile.loader import load_profile
from interopcheck.rules import REGISTRY
from interopcheck.runner import cloud_options
from interopcheck.runner.cloudconfig import CloudConfigError
from interopcheck.runner.clouds import resolve_token

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``check`` on the main parser's subparsers."""
    p = subparsers.add_parser(
        "check", help="check one live cloud against the API-SIG guidelines",
        description="Run a profile's calls and microversion negotiation probes against one "
                    "cloud and check every response against the API-SIG guideline rules, in "
                    "strict mode (the guideline text) and tolerant mode (accepting the known "
                    "departures of microversion-parse based services such as Placement). "
                    "Exit 0: the --mode passed; 1: it failed; 2: nothing could be checked.")
    p.add_argument("url", metavar="URL", nargs="?",
                   help="the service root URL (optional with --os-cloud or $OS_CLOUD)")
    p.add_argument("--profile", default="placement",
                   help="profile name or YAML file (default: placement)")
    p.add_argument("--mode", choices=MODES, default="strict",
                   help="which mode decides the exit status (default strict; both are shown)")
    p.add_argument("--microversions", default="sample", metavar="SPEC",
                   help="versions to run the scenarios at: sample (default: each scenario at "
                        "the lowest and highest of its own versions), all, latest, a list "
                        "1.2,1.14 or a range 1.10-1.20")
    p.add_argument("--scenario", action="append", default=[], metavar="GLOB",
                   help="run only scenarios whose name matches (repeatable)")
    p.add_argument("--token", help="token (default: $INTEROPCHECK_TOKEN, then the profile's "
                                   "default token)")
    p.add_argument("--probe-url", metavar="PATH",
                   help="URL path for the negotiation probes (default: the discovery URL)")
    p.add_argument("--no-probes", action="store_true", help="skip the negotiation probes")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="check only these rule ids (repeatable or comma-separated; an unknown "
                        "id is refused)")
    p.add_argument("--disable", action="append", default=[], metavar="ID",
                   help="do not check this rule id (repeatable or comma-separated; an unknown "
                        "id is refused)")
    p.add_argument("--fail-on", choices=("error", "warning"), default="error",
                   help="the lowest severity that fails a mode (default error)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="report format (default text)")
    p.add_argument("--output", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--quiet", action="store_true",
                   help="print only the summary and verdict lines, not each finding")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="per-call timeout (default 30)")
    p.add_argument("--allow-env", action="append", default=[], metavar="NAME",
                   help="let the profile's $ENV(NAME) read this environment variable "
                        "(repeatable; its value is scrubbed from every output like a token)")
    cloud_options.add_check_options(p)  # --os-cloud, --header, TLS, catalog
    return p


def rule_ids(values: list[str], option: str) -> frozenset[str]:
    """The rule ids of a repeatable, comma-separated option; an unknown id is a usage error."""
    ids = frozenset(r.strip() for item in values for r in item.split(",") if r.strip())
    unknown = sorted(i for i in ids if i not in REGISTRY)
    if unknown:
        raise UsageError(f"{option}: unknown rule {unknown[0]!r} (interopcheck lint "
                         "--list-rules lists them)")
    return ids


def run(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport] | None = None,
        out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``interopcheck check``; ``transports['A']`` is a test seam (e.g. WSGITransport)."""
    out = out or sys.stdout
    err = err or sys.stderr
    from interopcheck import preflight

    problem = preflight.check_output_file(args.output) if args.output else None
    if problem:
        err.write(f"interopcheck: {problem}\n")
        return EXIT_FAILED
    profile = load_profile(args.profile)
    token = resolve_token(args.token, "INTEROPCHECK_TOKEN", profile.auth.default_token)
    spec = cloud_options.CloudSpec("A", args.url, cloud_options.os_cloud_default(args), token,
                                   "URL", "--os-cloud", "--token or INTEROPCHECK_TOKEN")
    try:
        cloud = cloud_options.build_cloud(
            spec, profile.service_type, cloud_options.connection(args, args.header),
            args.timeout, (transports or {}).get("A"))
    except CloudConfigError as exc:
        err.write(f"interopcheck: {exc}\n")
        return EXIT_FAILED
    try:
        disabled = rule_ids(args.disable, "--disable")
        only = rule_ids(args.rule, "--rule")
    except UsageError as exc:
        err.write(f"interopcheck: {exc}\n")
        return EXIT_FAILED
    if args.timeout <= 0:
        err.write("interopcheck: --timeout must be a positive number of seconds\n")
        return EXIT_FAILED
    if only:
        disabled |= frozenset(r.id for r in REGISTRY if r.id not in only)
    options = CheckOptions(microversions=args.microversions, scenarios=tuple(args.scenario),
                           probe_url=args.probe_url, fail_on=Severity(args.fail_on),
                           disabled=disabled, probes=not args.no_probes)
    try:
        result = run_check(profile, cloud, options)
    finally:
        cloud.close()
    text = to_json(result) if args.format == "json" else to_text(result, quiet=args.quiet)
    from interopcheck import secrets

    text = secrets.scrub(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        out.write(text)
    if result.broken:
        for issue in result.issues:
            err.write(f"interopcheck: {issue.where}: {issue.what}\n")
        return EXIT_FAILED
    return EXIT_OK if result.passed(args.mode) else EXIT_FINDINGS
