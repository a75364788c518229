"""``interopcheck diff A B --gabbi FILE...``: gabbi files as scenarios, A against B.

Each file runs on A and then on B (:func:`interopcheck.profile.gabbi.run_file`: gabbi
itself reads and runs it); test by test, the two answers are compared by structure
(:func:`interopcheck.compare.compare`, the headers ``diff`` ignores) and every
difference becomes a :class:`~interopcheck.findings.Finding` (scenario ``gabbi FILE``,
call = the test's name), grouped into causes by the renderers like any scenario's.
A test whose own expectations hold on one cloud and not on the other is a finding too
(kind ``gabbi-outcome``). An error message with the same words in another order is not a
difference (Placement lists set members in hash order).

A fresh database per file: ``--gabbi-setup CMD`` runs ``sh -c CMD`` before each file
on each cloud, with ``GABBI_URL``, ``GABBI_CLOUD`` (A or B) and ``GABBI_FILE`` set;
``KEY=VALUE`` lines it prints become ``$ENVIRON`` values for that file (the same
command gives both clouds the same values, so their URLs compare equal).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import httpx

from interopcheck import __version__
from interopcheck.compare import Exchange
from interopcheck.compare.structural import CompareOptions, compare
from interopcheck.diff import DEFAULT_IGNORED_HEADERS
from interopcheck.findings import Finding, classify
from interopcheck.profile.gabbi import GabbiError, GabbiTest, run_file
from interopcheck.report import CallResult, CloudInfo, Problem, Report
from interopcheck.runner.clouds import safe_url

__all__ = ["add_options", "diff_files", "run"]

_OPTIONS = CompareOptions(ignored_headers=DEFAULT_IGNORED_HEADERS)
_PASSING = frozenset({"pass", "xfail"})
_WORD = re.compile(r"\w+")


def add_options(parser: argparse.ArgumentParser) -> None:
    """``--gabbi FILE...`` and ``--gabbi-setup CMD`` on ``interopcheck diff``."""
    parser.add_argument("--gabbi", nargs="+", action="extend", default=[], metavar="FILE",
                        help="run these gabbi files on both clouds (gabbi's own format and "
                             "substitutions) and compare every response; the profile's "
                             "scenarios are not run")
    parser.add_argument("--gabbi-setup", metavar="CMD",
                        help="shell command run before each gabbi file on each cloud (env "
                             "GABBI_URL, GABBI_CLOUD, GABBI_FILE), e.g. to give it a fresh "
                             "database; KEY=VALUE lines it prints are $ENVIRON for the file")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _setup(command: str, url: str, cloud: str, path: Path) -> dict[str, str]:
    env = dict(os.environ, GABBI_URL=url, GABBI_CLOUD=cloud, GABBI_FILE=str(path))
    try:
        done = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True,
                              timeout=900, check=False)
    except subprocess.TimeoutExpired:
        raise GabbiError(f"--gabbi-setup for {path.name} on {cloud}: no end after 900s") \
            from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1][:300]
        raise GabbiError(f"--gabbi-setup for {path.name} on {cloud} exited "
                         f"{done.returncode}: {last}")
    values = {}
    for line in done.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().isidentifier():
            values[key.strip()] = value.strip()
    return values


def _version(exchange: Exchange | None, header: str) -> str:
    value = exchange.request_header(header) if exchange is not None else None
    if not value:
        return "none"
    return value.split()[-1]


def _json(exchange: Exchange | None, part: str) -> str:
    if exchange is None:
        return ""
    text = json.dumps(exchange.to_dict()[part], ensure_ascii=False, default=str)
    return text if len(text) <= 65536 else text[:65536]


def _same_words(a: str, b: str) -> bool:
    """The same words in another order: Placement lists the members of a set (``No such
    trait B, A``) in hash order, which changes with each process's hash seed."""
    return sorted(_WORD.findall(a)) == sorted(_WORD.findall(b))


def _finding(scenario: str, test: GabbiTest, version: str, kind: str, path: str, a: str,
             b: str, extra: dict[str, str]) -> Finding:
    v = classify(kind, path, a, b)
    return Finding(scenario=scenario, call=test.name, method=test.method, url=test.url,
                   microversion=version, kind=kind, path=path, a=a, b=b, rule=v.rule,
                   breaks_clients=v.breaks_clients, needs_version_bump=v.needs_version_bump,
                   severity=v.severity, summary=v.summary, extra=dict(extra))


def compare_runs(scenario: str, tests_a: Sequence[GabbiTest], tests_b: Sequence[GabbiTest],
                 version_header: str = "openstack-api-version",
                 ) -> tuple[list[Finding], list[CallResult]]:
    """Findings and call results for one file run on A and on B (tests paired in order)."""
    findings: list[Finding] = []
    calls: list[CallResult] = []
    for ta, tb in zip(tests_a, tests_b, strict=False):
        ea, eb = ta.exchange, tb.exchange
        version = _version(ea or eb, version_header)
        extra = {"request": _json(ea or eb, "request"), "response_a": _json(ea, "response"),
                 "response_b": _json(eb, "response"), "gabbi_a": ta.outcome,
                 "gabbi_b": tb.outcome}
        found: list[Finding] = []
        if ea is not None and eb is not None:
            for d in compare(ea, eb, _OPTIONS):
                if d.kind == "error-detail" and _same_words(d.a, d.b):
                    continue
                found.append(_finding(scenario, ta, version, d.kind, d.path, d.a, d.b, extra))
        if (ta.outcome in _PASSING) != (tb.outcome in _PASSING):
            detail = {**extra, "gabbi_message_a": ta.message, "gabbi_message_b": tb.message}
            found.append(_finding(scenario, ta, version, "gabbi-outcome", "gabbi",
                                  ta.outcome, tb.outcome, detail))
        findings.extend(found)
        calls.append(CallResult(scenario=scenario, call=ta.name, method=ta.method,
                                url=ta.url, microversion=version,
                                status_a=ea.status if ea else None,
                                status_b=eb.status if eb else None, findings=len(found),
                                skipped=None if ea or eb else f"not run ({ta.outcome})"))
    return findings, calls


def diff_files(files: Sequence[str], url_a: str, url_b: str, *, setup: str | None = None,
               apps: Mapping[str, Any] | None = None, timeout: float = 30.0,
               progress: TextIO | None = None) -> Report:
    """Run every gabbi file on A and B and report the differences."""
    started = _now()
    apps = apps or {}
    findings: list[Finding] = []
    calls: list[CallResult] = []
    problems: list[Problem] = []
    versions: set[str] = set()
    for i, name in enumerate(files, 1):
        path = Path(name)
        scenario = f"gabbi {path.name}"
        runs: dict[str, list[GabbiTest]] = {}
        for cloud, url in (("A", url_a), ("B", url_b)):
            environ = _setup(setup, url, cloud, path) if setup else {}
            app = apps.get(cloud)
            runs[cloud] = run_file(path, url, environ=environ, timeout=timeout,
                                   app=(lambda a=app: a) if app is not None else None)
        if len(runs["A"]) != len(runs["B"]):
            problems.append(Problem("A+B", scenario, "the file ran a different number of tests",
                                    "check the file"))
        found, results = compare_runs(scenario, runs["A"], runs["B"])
        findings.extend(found)
        calls.extend(results)
        versions.update(c.microversion for c in results if c.microversion != "none")
        if progress is not None:
            progress.write(f"interopcheck: [{i}/{len(files)}] {path.name}: {len(results)} tests, "
                           f"{len(found)} differences\n")
            progress.flush()
    return Report(
        tool=f"interopcheck {__version__}", profile="gabbi", service_type="",
        cloud_a=CloudInfo("A", safe_url(url_a)), cloud_b=CloudInfo("B", safe_url(url_b)),
        microversions=tuple(sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")
                                                                 if x.isdigit()))),
        started_at=started, finished_at=_now(), findings=tuple(findings), calls=tuple(calls),
        problems=tuple(problems))


def run(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport],
        out: TextIO, err: TextIO) -> int:
    """``interopcheck diff --gabbi``: the report on stdout (and in ``--report-dir``)."""
    from interopcheck.render import FORMATS

    apps = {name: t.app for name, t in transports.items() if isinstance(t, httpx.WSGITransport)}
    try:
        if not args.url_a or not args.url_b:
            raise GabbiError("--gabbi needs URL_A and URL_B")
        missing = [f for f in args.gabbi if not Path(f).is_file()]
        if missing:
            raise GabbiError(f"--gabbi {missing[0]}: no such file")
        report = diff_files(args.gabbi, args.url_a, args.url_b, setup=args.gabbi_setup,
                            apps=apps, timeout=args.timeout,
                            progress=None if args.quiet else err)
    except GabbiError as exc:
        err.write(f"interopcheck: {exc}\n")
        return 2
    formats = [f.strip() for item in args.format for f in item.split(",") if f.strip()] \
        or ["text"]
    for name in formats:
        if name in FORMATS:
            text = FORMATS[name](report)
            if args.report_dir:
                directory = Path(args.report_dir)
                directory.mkdir(parents=True, exist_ok=True)
                (directory / f"gabbi-report.{name}").write_text(text, encoding="utf-8")
            else:
                out.write(text)
    if args.report_dir:
        out.write(FORMATS["text"](report))
    return report.exit_code
