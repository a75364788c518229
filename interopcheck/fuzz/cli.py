"""``interopcheck fuzz URL_A [URL_B] --spec OPENAPI``: generated calls, compared or judged.

Exit status: 0 no findings, 1 findings, 2 the run failed (a cloud down, a bad option,
an unreadable document, schemathesis missing).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import httpx
import yaml

from interopcheck.errors import UsageError
from interopcheck.exitcodes import EXIT_FAILED
from interopcheck.fuzz.engine import PHASES, FuzzOptions, run_fuzz
from interopcheck.fuzz.output import render_json, render_text
from interopcheck.fuzz.view import view_at
from interopcheck.microversion import Version
from interopcheck.profile.loader import load_profile
from interopcheck.profile.model import Auth, Discovery, Profile
from interopcheck.runner.clouds import Cloud, resolve_token
from interopcheck.runner.run import Progress

__all__ = ["add_parser", "connection_profile", "load_document", "run"]


class FuzzUsageError(UsageError):
    """A problem with the command line or the document; the message is the one line."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``fuzz`` on the main parser's subparsers."""
    p = subparsers.add_parser(
        "fuzz", help="generated calls from an OpenAPI document on two clouds, compared "
                     "(or one cloud, judged)",
        description="Generate calls from an OpenAPI document with schemathesis (examples, "
                    "property-based, stateful sequences through the document's links, and "
                    "each operation just below its minimum microversion) at each selected "
                    "microversion. Two clouds: every call goes to both with the same version "
                    "header and the answers are compared by structure. One cloud: server "
                    "errors, answers the version's schemas do not allow, and the live "
                    "guideline rules. Exit 0: no findings; 1: findings; 2: the run failed.")
    p.add_argument("url_a", metavar="URL_A", help="cloud A (the reference), service root URL")
    p.add_argument("url_b", metavar="URL_B", nargs="?",
                   help="cloud B, compared with A (omit to judge A on its own)")
    p.add_argument("--spec", required=True, metavar="OPENAPI",
                   help="the OpenAPI document (YAML or JSON) with x-openstack min-ver/max-ver")
    p.add_argument("--profile", metavar="NAME",
                   help="take the version header, token header and version discovery from "
                        "this profile (default: from the document: GET / and "
                        "OpenStack-API-Version)")
    p.add_argument("--service-type", metavar="TYPE",
                   help="service type in the version header (default: from the document's "
                        "version header example, e.g. 'placement 1.39')")
    p.add_argument("--microversions", default="ends", metavar="SPEC",
                   help="ends (default: the lowest and highest both clouds and the document "
                        "share), all, a list 1.2,1.14 or a range 1.10-1.20")
    p.add_argument("--max-examples", type=int, default=20, metavar="N",
                   help="generated calls per operation, phase and microversion (default 20)")
    p.add_argument("--seed", type=int, help="hypothesis seed: the same seed repeats a run")
    p.add_argument("--time-limit", type=float, metavar="SECONDS",
                   help="stop generating after this long (the calls made are judged)")
    p.add_argument("--phases", default=",".join(PHASES), metavar="LIST",
                   help=f"comma-separated subset of {','.join(PHASES)} (default: all)")
    p.add_argument("--operation", action="append", default=[], metavar="GLOB",
                   help="only operations matching 'METHOD /path' or '/path' (repeatable)")
    p.add_argument("--mode", choices=("tolerant", "strict"), default="tolerant",
                   help="one cloud: tolerant (default) skips the known departures of "
                        "microversion-parse services from the guidelines; strict does not")
    p.add_argument("--token-a", help="token for A (default: $INTEROPCHECK_TOKEN_A, then the "
                                     "profile's default token)")
    p.add_argument("--token-b", help="token for B (default: $INTEROPCHECK_TOKEN_B, then the "
                                     "profile's default token)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="per-call timeout (default 30)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="report format (default text)")
    p.add_argument("--output", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def load_document(path: str) -> dict[str, Any]:
    """The OpenAPI document at ``path`` (YAML or JSON)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise FuzzUsageError(f"--spec {path}: cannot read it: {exc.strerror or exc}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FuzzUsageError(f"--spec {path}: not valid YAML or JSON: "
                             f"{str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise FuzzUsageError(f"--spec {path}: not an OpenAPI document (no 'paths')")
    if not str(document.get("openapi", "")).startswith("3."):
        raise FuzzUsageError(f"--spec {path}: only OpenAPI 3.x documents are supported")
    return document


def _service_type(document: dict[str, Any], version_header: str) -> str | None:
    """The service type in the version header's example (``placement 1.39`` -> placement)."""
    low = version_header.lower()
    candidates = list((document.get("components") or {}).get("parameters", {}).values())
    for item in (document.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else ():
            if isinstance(op, dict):
                candidates.extend(op.get("parameters") or [])
    for param in candidates:
        if isinstance(param, dict) and str(param.get("name", "")).lower() == low:
            example = param.get("example") or (param.get("schema") or {}).get("example")
            words = str(example or "").split()
            if len(words) == 2:
                return words[0]
    return None


def connection_profile(document: dict[str, Any], service_type: str | None = None,
                       version_header: str = "OpenStack-API-Version",
                       auth_header: str = "X-Auth-Token") -> Profile:
    """A profile with no scenarios: how to reach a service the document describes."""
    service = service_type or _service_type(document, version_header)
    if not service:
        raise FuzzUsageError("the document does not say the service type in its version "
                             "header example: give --service-type (e.g. placement) or "
                             "--profile")
    return Profile(
        name="fuzz", path=Path("fuzz"), description="", service_type=service,
        version_header=version_header,
        discovery=Discovery(method="GET", url="/", min_version="body.versions.0.min_version",
                            max_version="body.versions.0.max_version"),
        auth=Auth(header=auth_header), headers={}, ignore=(), ignore_headers=frozenset(),
        scenarios=())


def _phases(text: str) -> tuple[str, ...]:
    phases = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in phases if p not in PHASES]
    if unknown or not phases:
        raise FuzzUsageError(f"--phases: unknown phase {unknown[0] if unknown else '(none)'!r} "
                             f"(known: {', '.join(PHASES)})")
    return phases


def _cloud(name: str, url: str, token: str | None, timeout: float,
           transports: Mapping[str, httpx.BaseTransport], option: str, token_option: str
           ) -> Cloud:
    if not url.startswith(("http://", "https://")):
        raise FuzzUsageError(f"{option}: {url!r} is not an http:// or https:// URL")
    return Cloud(name=name, base_url=url, token=token, transport=transports.get(name),
                 timeout=timeout, url_option=option, token_option=token_option)


def run(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport] | None = None,
        out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``interopcheck fuzz``; ``transports`` (by cloud name A, B) is a test seam."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return _run(args, transports or {}, out, err)
    except FuzzUsageError as exc:
        err.write(f"interopcheck: {exc}\n")
        return EXIT_FAILED


def _run(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport],
         out: TextIO, err: TextIO) -> int:
    for module in ("schemathesis", "hypothesis"):
        if importlib.util.find_spec(module) is None:
            raise FuzzUsageError(f"interopcheck fuzz needs {module}: pip install "
                                 "'interopcheck[fuzz]'")
    if args.max_examples < 1:
        raise FuzzUsageError("--max-examples must be 1 or more")
    if args.time_limit is not None and args.time_limit <= 0:
        raise FuzzUsageError("--time-limit must be a positive number of seconds")
    if args.timeout <= 0:
        raise FuzzUsageError("--timeout must be a positive number of seconds")
    phases = _phases(args.phases)
    document = load_document(args.spec)
    if args.profile:
        profile = load_profile(args.profile)
        if args.service_type:
            profile = dataclasses.replace(profile, service_type=args.service_type)
    else:
        profile = connection_profile(document, args.service_type)
    view_at(document, Version(1, 0))  # fails early on a document the view cannot read
    default = profile.auth.default_token
    token_a = resolve_token(args.token_a, "INTEROPCHECK_TOKEN_A", default)
    clouds = [_cloud("A", args.url_a, token_a, args.timeout, transports, "URL_A",
                     "--token-a or INTEROPCHECK_TOKEN_A")]
    if args.url_b:
        token_b = resolve_token(args.token_b, "INTEROPCHECK_TOKEN_B", default)
        clouds.append(_cloud("B", args.url_b, token_b, args.timeout, transports, "URL_B",
                             "--token-b or INTEROPCHECK_TOKEN_B"))
    options = FuzzOptions(microversions=args.microversions, max_examples=args.max_examples,
                          seed=args.seed, time_limit=args.time_limit, phases=phases,
                          operations=tuple(args.operation), mode=args.mode)
    progress = Progress(err, enabled=not args.quiet)
    try:
        result = run_fuzz(document, clouds, profile, options, progress,
                          spec_name=Path(args.spec).name)
    finally:
        for cloud in clouds:
            cloud.close()
    text = render_json(result) if args.format == "json" else render_text(result)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        out.write(render_text(result) if args.format == "json" else "")
        err.write(f"interopcheck: report written to {args.output}\n")
    else:
        out.write(text)
    return result.report.exit_code
