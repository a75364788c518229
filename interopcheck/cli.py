"""``interopcheck`` command line.

    interopcheck diff URL_A URL_B [--profile placement] [--microversions all] ...
    interopcheck profile [NAME|FILE] [--list]
    interopcheck demo [--dir DIR] [--drift NAME ...]
    interopcheck lint SPEC [--baseline OLD] [--format text|json|sarif|junit|github] ...

Exit codes: 0 no findings, 1 findings, 2 the run itself failed (a cloud down,
a bad option, a broken profile). Every failure is one line on stderr saying
what, where and what to do; a traceback is shown only with INTEROPCHECK_DEBUG=1.
Tokens are never printed or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import httpx

from interopcheck import __version__, demo, diff_gabbi, outputs
from interopcheck.baseline import Baseline
from interopcheck.capabilities import cli as capabilities_cli
from interopcheck.causes import DEFAULT_FAIL_ON, parse_fail_on
from interopcheck.check import cli as check_cli
from interopcheck.diff import NOISE_MODES, DiffOptions, run_diff
from interopcheck.errors import InteropcheckError, ReportError, UsageError
from interopcheck.exitcodes import EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_INTERRUPTED
from interopcheck.fuzz import cli as fuzz_cli
from interopcheck.ignores import load_ignores
from interopcheck.lint import breaking_cli
from interopcheck.lint import cli as lint_cli
from interopcheck.matrix import cli as matrix_cli
from interopcheck.microversion import VersionError, parse_range
from interopcheck.profile.loader import ProfileError, load_profile
from interopcheck.profile.model import IgnoreRule, Profile
from interopcheck.render import FORMATS, PLANNED
from interopcheck.render.text import render as render_text
from interopcheck.report import Report
from interopcheck.runner import cloud_options
from interopcheck.runner.clouds import Cloud, resolve_token
from interopcheck.runner.run import Clouds, Progress
from interopcheck.snapshot import cli as snapshot_cli
from interopcheck.survey import cli as survey_cli

__all__ = ["build_parser", "console", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interopcheck",
        description="Do two clouds of a microversioned HTTP API really behave the same?")
    parser.add_argument("--version", action="version", version=f"interopcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    diff = sub.add_parser(
        "diff", help="run a profile's calls on two clouds and report every structural difference",
        description="Run the same calls at the same microversion on two clouds and report "
                    "every structural difference. Exit 0: none; 1: findings; 2: the run failed.")
    diff.add_argument("url_a", metavar="URL_A", nargs="?",
                      help="cloud A, the reference (service root URL; optional with "
                           "--os-cloud-a)")
    diff.add_argument("url_b", metavar="URL_B", nargs="?",
                      help="cloud B, compared with A (optional with --os-cloud-b)")
    diff.add_argument("--profile", default="placement",
                      help="profile name (looked up in $INTEROPCHECK_PROFILES and profiles/) or "
                           "YAML file (default: placement)")
    diff.add_argument("--microversions", default="all", metavar="SPEC",
                      help="all (default), latest-common, a list 1.2,1.14, a range 1.10-1.20, "
                           "or a mix")
    diff.add_argument("--scenario", action="append", default=[], metavar="GLOB",
                      help="run only scenarios whose name matches (repeatable)")
    diff.add_argument("--token-a", help="token for A (default: $INTEROPCHECK_TOKEN_A, then the "
                                        "profile's default token)")
    diff.add_argument("--token-b", help="token for B (default: $INTEROPCHECK_TOKEN_B, then the "
                                        "profile's default token)")
    diff.add_argument("--a2", metavar="URL", help="a second instance of A, used for the noise "
                                                  "run instead of calling A twice")
    diff.add_argument("--b2", metavar="URL", help="a second instance of B (as --a2)")
    diff.add_argument("--noise", choices=NOISE_MODES, default="confirm",
                      help="confirm (default): run a scenario a second time when it differs, and "
                           "drop what varies within one cloud; always: run everything twice; "
                           "off: run once")
    diff.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                      help="per-call timeout (default 30)")
    diff.add_argument("--concurrency", type=int, default=4, metavar="N",
                      help="scenario runs in parallel (default 4; 1 = one at a time)")
    diff.add_argument("--ignore", action="append", default=[], metavar="EXPR",
                      help="drop differences at a JSONPath ($.a[*].b, $..links), JSON Pointer "
                           "(/a/*/b), 'status' or 'header:NAME' (repeatable)")
    diff.add_argument("--ignore-file", metavar="FILE",
                      help="YAML list of ignore rules (strings, or mappings with path/header, "
                           "kind, scenario, call, microversions, reason)")
    diff.add_argument("--baseline", metavar="FILE",
                      help="accepted differences: findings listed there do not count")
    diff.add_argument("--write-baseline", metavar="FILE",
                      help="write (or update) a baseline accepting this run's findings")
    diff.add_argument("--report-dir", metavar="DIR",
                      help="write report.<ext> for each --format into DIR")
    diff.add_argument("--format", action="append", default=[], metavar="FORMAT",
                      help=f"{'|'.join(PLANNED)} (repeatable or comma-separated; default: "
                           "text on stdout, every available format with --report-dir)")
    diff.add_argument("--quiet", action="store_true", help="no progress on stderr")
    diff.add_argument("--verbose", action="store_true",
                      help="list every finding of each cause on stdout (default: 3 examples)")
    diff.add_argument("--allow-env", action="append", default=[], metavar="NAME",
                      help="let the profile's $ENV(NAME) read this environment variable "
                           "(repeatable; its value is scrubbed from every output like a token)")
    diff.add_argument("--fail-on", default=",".join(DEFAULT_FAIL_ON), metavar="WHAT",
                      help="what makes the exit status 1, comma-separated: breaks-clients, "
                           "needs-version-bump, deployment, text, info, any, never (default: "
                           "breaks-clients,needs-version-bump)")
    diff.add_argument("--deployment-header", action="append", default=[], metavar="GLOB",
                      help="one more response header judged 'deployment' (added by a proxy or "
                           "load balancer: no client break, no version bump; repeatable)")
    diff.add_argument("--name-a", metavar="NAME", help="cloud A's name in the reports "
                      "(default: its clouds.yaml name or the URL's host)")
    diff.add_argument("--name-b", metavar="NAME", help="cloud B's name in the reports (as "
                      "--name-a)")
    cloud_options.add_diff_options(diff)  # --os-cloud-a/-b, --header-a/-b, TLS, catalog
    diff_gabbi.add_options(diff)  # --gabbi FILE..., --gabbi-setup CMD (issue 18)

    prof = sub.add_parser("profile", help="validate a profile and list its scenarios",
                          description="Load a profile (a bundled name or a YAML file), check "
                                      "it and say how many scenarios and calls it has; --list "
                                      "lists the scenarios. Exit 0: valid; 2: it is not.")
    prof.add_argument("profile", nargs="?", default="placement", help="name or YAML file")
    prof.add_argument("--list", action="store_true", help="list the scenarios")

    demo.register(sub)  # interopcheck demo: two local refclouds, one drifted, diffed
    check_cli.add_parser(sub)  # interopcheck check URL: live API-SIG guideline checks
    lint_cli.add_parser(sub)  # interopcheck lint SPEC: API-SIG rules on OpenAPI documents
    breaking_cli.add_parser(sub)  # interopcheck breaking OLD NEW: classified changes
    survey_cli.add_parser(sub)  # interopcheck survey SPEC...: payload conventions counted
    snapshot_cli.add_parser(sub)  # interopcheck record CLOUD --out FILE: a cloud as a file
    matrix_cli.add_parser(sub)  # interopcheck matrix SNAPSHOT...: every pair, offline
    capabilities_cli.add_parser(sub)  # interopcheck capabilities CLOUD | diff A B
    fuzz_cli.add_parser(sub)  # interopcheck fuzz A [B] --spec: generated calls (issue 18)
    return parser


def _formats(args: argparse.Namespace) -> list[str]:
    requested = [f.strip() for item in args.format for f in item.split(",") if f.strip()]
    if not requested:
        return list(FORMATS) if args.report_dir else ["text"]
    for name in requested:
        if name not in FORMATS:
            known = ", ".join(FORMATS)
            if name in PLANNED:
                raise UsageError(f"format {name!r} is not available yet (available: {known}); "
                                 "choose another --format")
            raise UsageError(f"unknown format {name!r} (available: {known})")
    return list(dict.fromkeys(requested))


def _ignores(args: argparse.Namespace) -> tuple[IgnoreRule, ...]:
    return load_ignores(args.ignore, args.ignore_file)


def _fail_on(text: str) -> tuple[str, ...]:
    try:
        return parse_fail_on(text)
    except ValueError as exc:
        raise UsageError(f"--fail-on: {exc}") from None


def _check_spec(spec: str) -> None:
    if spec.strip() in ("", "all", "latest-common", "latest"):
        return
    for part in spec.split(","):
        if part.strip():
            try:
                parse_range(part)
            except VersionError as exc:
                raise UsageError(f"--microversions: {exc} (give all, latest-common, a list such "
                                 "as 1.2,1.14 or a range such as 1.10-1.20)") from None


def _cloud(name: str, url: str, token: str | None, args: argparse.Namespace,
           transports: Mapping[str, httpx.BaseTransport], url_option: str,
           token_option: str) -> Cloud:
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{url_option}: {url!r} is not an http:// or https:// URL")
    return Cloud(name=name, base_url=url, token=token, transport=transports.get(name),
                 timeout=args.timeout, url_option=url_option, token_option=token_option)


def _clouds(args: argparse.Namespace, profile: Profile,
            transports: Mapping[str, httpx.BaseTransport]) -> Clouds:
    default = profile.auth.default_token
    token_a = resolve_token(args.token_a, "INTEROPCHECK_TOKEN_A", default)
    token_b = resolve_token(args.token_b, "INTEROPCHECK_TOKEN_B", default)
    hint_a, hint_b = "--token-a or INTEROPCHECK_TOKEN_A", "--token-b or INTEROPCHECK_TOKEN_B"
    cloud_options.assign_urls(args)  # diff --os-cloud-a NAME URL_B
    a, b = (cloud_options.build_cloud(  # a URL, or a cloud of clouds.yaml (Keystone + catalog)
        cloud_options.CloudSpec(name, url, os_cloud, token, url_option, f"--os-cloud-{side}",
                                hint),
        profile.service_type,
        cloud_options.connection(args, headers, f"--header-{side}"), args.timeout,
        transports.get(name))
        for name, side, url, os_cloud, token, headers, url_option, hint in (
            ("A", "a", args.url_a, args.os_cloud_a, token_a, args.header_a, "URL_A", hint_a),
            ("B", "b", args.url_b, args.os_cloud_b, token_b, args.header_b, "URL_B", hint_b)))
    a2 = _cloud("A2", args.a2, token_a, args, transports, "--a2", hint_a) if args.a2 else None
    b2 = _cloud("B2", args.b2, token_b, args, transports, "--b2", hint_b) if args.b2 else None
    return Clouds(a, b, a2, b2)


def _write_reports(report: Report, formats: Sequence[str], directory: str,
                   out: TextIO) -> None:
    try:
        written = outputs.write_reports(report, formats, directory)
    except ReportError as exc:
        raise UsageError(f"--report-dir {exc.path}: {exc.why}") from None
    out.write("Reports: " + ", ".join(str(p) for p in written) + "\n")


def _diff(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport],
          out: TextIO, err: TextIO) -> int:
    if getattr(args, "gabbi", None):  # gabbi files instead of the profile (issue 18)
        return diff_gabbi.run(args, transports, out, err)
    formats = _formats(args)
    _check_spec(args.microversions)
    if args.report_dir:
        from interopcheck import preflight

        problem = preflight.check_report_dir(args.report_dir)
        if problem:
            raise UsageError(problem)
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.concurrency < 1:
        raise UsageError("--concurrency must be 1 or more")
    ignores = _ignores(args)
    baseline = Baseline.load(args.baseline) if args.baseline else None
    profile = load_profile(args.profile)
    snapshots = snapshot_cli.take_snapshot_args(args)  # SNAPSHOT in place of URL_A/URL_B
    clouds = snapshot_cli.put_snapshots(_clouds(args, profile, transports), snapshots, profile)
    options = DiffOptions(microversions=args.microversions, scenarios=tuple(args.scenario),
                          noise=args.noise, ignores=ignores, baseline=baseline,
                          concurrency=args.concurrency,
                          deployment_headers=tuple(args.deployment_header),
                          fail_on=_fail_on(args.fail_on),
                          name_a=args.name_a or getattr(args, "os_cloud_a", None),
                          name_b=args.name_b or getattr(args, "os_cloud_b", None))
    progress = Progress(err, enabled=not args.quiet)
    try:
        report = run_diff(profile, clouds, options, progress)
    finally:
        for cloud in clouds.all():
            cloud.close()
    if args.report_dir:
        out.write(render_text(report, verbose=args.verbose))
        _write_reports(report, formats, args.report_dir, out)
    else:
        for name in formats:
            out.write(render_text(report, verbose=args.verbose) if name == "text"
                      else FORMATS[name](report))
    if args.write_baseline:
        previous = baseline or Baseline()
        if args.write_baseline != args.baseline and Path(args.write_baseline).exists():
            previous = Baseline.load(args.write_baseline)
        everything = [*report.findings, *report.baselined]
        dropped = previous.write(args.write_baseline, everything, profile.name)
        err.write(f"interopcheck: baseline {args.write_baseline} written: "
                  f"{len(everything)} accepted findings"
                  + (f"; {dropped} entries no longer seen were dropped" if dropped else "")
                  + "\n")
    return report.exit_code


def _profile(args: argparse.Namespace, out: TextIO) -> int:
    profile = load_profile(args.profile)
    calls = sum(len(s.calls) for s in profile.scenarios)
    out.write(f"{profile.path}: profile {profile.name!r} is valid: "
              f"{len(profile.scenarios)} scenarios, {calls} calls\n")
    if args.list:
        for s in profile.scenarios:
            summary = s.description.splitlines()[0] if s.description else ""
            out.write(f"  {s.name:<36} {s.versions!s:<22} {summary}\n")
    return 0


def _scrub(text: str, secrets: Sequence[str]) -> str:
    from interopcheck import secrets as secret_registry  # raw, JSON-escaped, URL-encoded

    return secret_registry.scrub(text, secrets)


def _silence(stream: TextIO) -> None:
    """Point a closed standard output at /dev/null, so that the flush at exit stays quiet."""
    if stream is sys.stdout:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None, *,
         transports: Mapping[str, httpx.BaseTransport] | None = None,
         stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; ``transports`` (by cloud name A, B, A2, B2) is a test seam."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    secrets = [s for s in (getattr(args, "token_a", None), getattr(args, "token_b", None),
                           os.environ.get("INTEROPCHECK_TOKEN_A"),
                           os.environ.get("INTEROPCHECK_TOKEN_B")) if s]
    from interopcheck.profile import templates

    templates.allow_env(getattr(args, "allow_env", None) or ())  # $ENV(...) in profiles
    try:
        if args.command == "diff":
            return _diff(args, transports or {}, out, err)
        if args.command == "profile":
            return _profile(args, out)
        if args.command == "demo":
            return demo.run(args, out, err)
        if args.command == "check":
            return check_cli.run(args, transports or {}, out, err)
        if args.command == "fuzz":
            return fuzz_cli.run(args, transports or {}, out, err)
        if args.command == "lint":
            return lint_cli.run(args, stdout=out, stderr=err)
        if args.command == "breaking":
            return breaking_cli.run(args, stdout=out, stderr=err)
        if args.command == "survey":
            return survey_cli.run(args, stdout=out, stderr=err)
        if args.command == "record":
            return snapshot_cli.run(args, transports or {}, out, err)
        if args.command == "matrix":
            return matrix_cli.run(args, out, err)
        if args.command == "capabilities":
            return capabilities_cli.run(args, transports or {}, out, err)
        parser.print_help(err)
        return EXIT_FAILED
    except ProfileError as exc:
        for line in exc.problems:
            err.write(f"interopcheck: {_scrub(line, secrets)}\n")
        return EXIT_FAILED
    except InteropcheckError as exc:  # every deliberate error (interopcheck.errors): one line
        err.write(f"interopcheck: {_scrub(str(exc), secrets)}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write("interopcheck: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`interopcheck ... | head -1`): stop quietly
        _silence(out)
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # never a traceback for the user, unless asked
        if os.environ.get("INTEROPCHECK_DEBUG"):
            err.write(_scrub(traceback.format_exc(), secrets))
        err.write(f"interopcheck: internal error: {type(exc).__name__}: "
                  f"{_scrub(str(exc), secrets)} (set INTEROPCHECK_DEBUG=1 for details and "
                  "please report it)\n")
        return EXIT_FAILED


def console() -> int:
    """The ``interopcheck`` command (and ``python -m interopcheck``): :func:`main`, then the
    output flushed while a closed pipe can still be told apart from a failure."""
    try:
        reports = lint_cli.reports_written()
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:  # outside a subcommand (while parsing, say)
        sys.stderr.write("interopcheck: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence(sys.stdout)
        return EXIT_BROKEN_PIPE
    if lint_cli.reports_written() > reports:  # a lint report is out: no teardown (exit_now)
        lint_cli.exit_now(code)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console())
