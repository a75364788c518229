"""``interopcheck diff``: the same calls on two clouds at the same version, compared.

The stages, in the order data flows through them:

1. **discovery**: each cloud's version range; the common range; the versions
   selected by ``--microversions``;
2. **run** (:mod:`interopcheck.runner`): every scenario at every selected version
   on A and on B, giving pairs of exchanges;
3. **compare**: each pair of exchanges -> structural differences
   (:func:`interopcheck.compare.compare`);
4. **ignore**: drop differences matched by the user's, the profile's, the
   scenario's or the call's ignore rules;
5. **noise**: a job whose first run still differs runs a second time at once
   (``--noise confirm``, the default; ``always`` runs every job twice; ``off``
   never). A difference counts only if the second run shows it again and its path
   does not vary between the two runs on the same cloud; what varies within one
   cloud is noise (listed in ``Report.noise``). Confirming only jobs that differ
   finds exactly what running everything twice finds, because noise can only
   remove differences;
6. **findings**: each remaining difference -> :class:`~interopcheck.findings.Finding`
   with both verdicts (:func:`~interopcheck.findings.classify`). ``Finding.url`` is the
   request path with generated values written as templates (``$uuid(rp)``);
   ``Finding.extra`` holds, as JSON text, the ``request`` (method, url, headers with
   secrets redacted, body) and each cloud's ``response_a`` / ``response_b`` (status,
   headers, body), plus ``sweep_microversion`` when the call pins its own version;
7. **baseline**: findings accepted by ``--baseline`` move to ``Report.baselined``;
8. **report**: :class:`~interopcheck.report.Report` for the renderers.

Nothing here prints: progress goes through the runner's :class:`Progress`.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from interopcheck import __version__
from interopcheck.baseline import Baseline
from interopcheck.causes import DEFAULT_FAIL_ON, compress_versions
from interopcheck.compare.exchange import Exchange
from interopcheck.compare.structural import SERVER_HEADERS, CompareOptions, Difference, compare
from interopcheck.findings import DEPLOYMENT_HEADERS, Finding, classify
from interopcheck.ignores import BODY_KINDS, HEADER_KINDS, covers, ignored
from interopcheck.microversion import Version, VersionError, select
from interopcheck.profile.model import IgnoreRule, Profile, Scenario, Step
from interopcheck.report import CallResult, CloudInfo, Problem, Report
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.discovery import VersionInfo, common_range, discover
from interopcheck.runner.run import CallRecord, Clouds, Job, Progress, RunPair, run_jobs

__all__ = [
    "DEFAULT_IGNORED_HEADERS",
    "NOISE_MODES",
    "CallDiff",
    "DiffOptions",
    "JobsResult",
    "aggregate_issues",
    "authorization_problems",
    "cancel_noise",
    "compare_pair",
    "default_name",
    "denied",
    "diff_jobs",
    "run_diff",
]

#: Response headers never compared (INTEROP005): transport and per-request ones. Headers a
#: proxy or load balancer adds are compared and judged ``deployment`` (DEPLOYMENT_HEADERS).
DEFAULT_IGNORED_HEADERS = SERVER_HEADERS | frozenset(
    {"x-openstack-request-id", "x-compute-request-id", "link"}
)
NOISE_MODES = ("confirm", "always", "off")
#: Cloud-wide problems: one line per cloud, however many calls they hit.
_CLOUD_WIDE = frozenset({"down", "redirect", "auth", "timeout"})
#: Answers a proxy or broken server gives: one line per distinct answer.
_PER_ANSWER = frozenset({"html", "not-json", "invalid-json", "transport"})
_MAX_BODY_CHARS = 65536


@dataclass(frozen=True)
class DiffOptions:
    """What to run and how to judge it (the command line's options, as data)."""

    microversions: str = "all"
    scenarios: tuple[str, ...] = ()
    noise: str = "confirm"
    ignores: tuple[IgnoreRule, ...] = ()
    baseline: Baseline | None = None
    concurrency: int = 4
    #: More header name globs judged ``deployment`` (besides ``DEPLOYMENT_HEADERS``).
    deployment_headers: tuple[str, ...] = ()
    #: What fails the run (:func:`interopcheck.causes.fails`).
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON
    #: Names of the clouds in the report (default: each URL's host).
    name_a: str | None = None
    name_b: str | None = None

    @property
    def deployment(self) -> tuple[str, ...]:
        return (*DEPLOYMENT_HEADERS, *self.deployment_headers)


@dataclass(frozen=True, slots=True)
class CallDiff:
    """One compared call of one job, with its surviving differences."""

    step: Step
    microversion: str
    a: Exchange | None
    b: Exchange | None
    skipped: str | None
    differences: tuple[Difference, ...]
    #: Declared departures (ignore rules with a reason) that accepted a difference here.
    accepted: tuple[IgnoreRule, ...] = ()


# ---- compare + ignore -----------------------------------------------------------------------


def _rules(profile: Profile, scenario: Scenario, step: Step,
           options: DiffOptions) -> list[IgnoreRule]:
    return [*options.ignores, *profile.ignore, *scenario.ignore, *step.ignore]


def _sent(step: Step, version: Version, latest: Version) -> str:
    sent = step.microversion(version, latest)
    return str(sent) if sent is not None else "none"


def compare_pair(pair: RunPair, profile: Profile, options: DiffOptions,
                 compare_options: CompareOptions, latest: Version) -> list[CallDiff]:
    """Each compared call of ``pair``: its differences after the ignore rules."""
    out: list[CallDiff] = []
    by_index_b = {r.step.index: r for r in pair.b.calls}
    for rec_a in pair.a.calls:
        rec_b = by_index_b.get(rec_a.step.index)
        step = rec_a.step
        sent = _sent(step, pair.version, latest)
        if rec_b is None or rec_a.exchange is None or rec_b.exchange is None:
            reason = rec_a.skipped or (rec_b.skipped if rec_b is not None else None) or "skipped"
            out.append(CallDiff(step, sent, rec_a.exchange,
                                rec_b.exchange if rec_b else None, reason, ()))
            continue
        rules = _rules(profile, pair.scenario, step, options)
        version = step.microversion(pair.version, latest)
        kept: list[Difference] = []
        accepted: list[IgnoreRule] = []
        for d in compare(rec_a.exchange, rec_b.exchange, compare_options):
            rule = ignored(rules, scenario=pair.scenario.name, call=step.name, version=version,
                           kind=d.kind, path=d.path)
            if rule is None:
                kept.append(d)
            elif rule.reason:
                accepted.append(rule)
        out.append(CallDiff(step, sent, rec_a.exchange, rec_b.exchange, None, tuple(kept),
                            tuple(accepted)))
    return out


# ---- noise ----------------------------------------------------------------------------------


def _varies(within: Sequence[Difference], d: Difference) -> bool:
    for w in within:
        if w.kind == "status":
            return True
        if d.kind in HEADER_KINDS and w.kind in HEADER_KINDS and w.path == d.path:
            return True
        if d.kind in BODY_KINDS and w.kind in BODY_KINDS and (w.path == d.path
                                                             or covers(w.path, d.path)):
            return True
    return False


def _record(records: Iterable[CallRecord], index: int) -> Exchange | None:
    for rec in records:
        if rec.step.index == index:
            return rec.exchange
    return None


def cancel_noise(first: Sequence[CallDiff], second: RunPair, options: CompareOptions,
                 second_diffs: Sequence[CallDiff]) -> tuple[list[CallDiff], list[str]]:
    """Drop differences that the second run does not repeat or that vary within a cloud.

    Returns the surviving call diffs and the noisy places (``scenario|call|path``, where
    path is a JSON path, a header name or ``status``): what varied between the two runs
    on one cloud, or a difference the second run did not show again.
    """
    again = {c.step.index: c for c in second_diffs}
    noise: list[str] = []
    out: list[CallDiff] = []
    name = second.scenario.name
    for call in first:
        idx = call.step.index
        a1, b1 = _record(second.a.calls, idx), _record(second.b.calls, idx)
        repeat = again.get(idx)
        if call.a is None or call.b is None or a1 is None or b1 is None or repeat is None:
            out.append(call)  # cannot confirm: keep what the first run showed
            continue
        within = [*compare(call.a, a1, options), *compare(call.b, b1, options)]
        noise.extend(f"{name}|{call.step.name}|{w.path}" for w in within)
        repeated = {(d.kind, d.path) for d in repeat.differences}
        kept = []
        for d in call.differences:
            if (d.kind, d.path) in repeated and not _varies(within, d):
                kept.append(d)
            else:
                noise.append(f"{name}|{call.step.name}|{d.path}")
        out.append(CallDiff(call.step, call.microversion, call.a, call.b, call.skipped,
                            tuple(kept), call.accepted))
    return out, noise


# ---- findings ---------------------------------------------------------------------------------


def _exchange_json(exchange: Exchange | None, part: str) -> str:
    if exchange is None:
        return ""
    data = exchange.to_dict()[part]
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, default=str)
    if len(text) > _MAX_BODY_CHARS:
        body = data.get("body")
        data = dict(data, body=f"<{len(json.dumps(body, default=str))} characters, not kept>")
        text = json.dumps(data, ensure_ascii=False, default=str)
    return text


def _findings(scenario: Scenario, version: Version, calls: Sequence[CallDiff],
              deployment: Sequence[str] = DEPLOYMENT_HEADERS) -> list[Finding]:
    out: list[Finding] = []
    for call in calls:
        if not call.differences:
            continue
        ref = call.a or call.b
        assert ref is not None
        extra = {
            "request": _exchange_json(call.a, "request"),
            "response_a": _exchange_json(call.a, "response"),
            "response_b": _exchange_json(call.b, "response"),
        }
        if call.microversion != str(version):
            extra["sweep_microversion"] = str(version)
        for d in call.differences:
            verdict = classify(d.kind, d.path, d.a, d.b, deployment)
            out.append(Finding(
                scenario=scenario.name, call=call.step.name, method=ref.method, url=ref.url,
                microversion=call.microversion, kind=d.kind, path=d.path, a=d.a, b=d.b,
                rule=verdict.rule, breaks_clients=verdict.breaks_clients,
                needs_version_bump=verdict.needs_version_bump, severity=verdict.severity,
                summary=verdict.summary, extra=dict(extra),
            ))
    return out


# ---- authorization --------------------------------------------------------------------------

_DENIED = (401, 403)


def denied(call: CallDiff) -> tuple[str, int] | None:
    """``(cloud, status)`` when one cloud refuses (401/403) what the other answers.

    The other answer is a success, a 404 or another client error (a 400 or 409 the policy
    check came before): the token's rights differ, not the API. Such a call becomes one
    problem per cloud (:func:`authorization_problems`) and none of its differences become
    findings.
    """
    if call.a is None or call.b is None:
        return None
    sa, sb = call.a.status, call.b.status
    if sb in _DENIED and _answered(sa):
        return "B", sb
    if sa in _DENIED and _answered(sb):
        return "A", sa
    return None


def _authorized(calls: Sequence[CallDiff]) -> tuple[list[CallDiff], list[tuple[str, int, str]]]:
    """The calls of one scenario run, with refused ones (and every call after the first
    refusal, whose state depends on it) not compared; and the refusals ``(cloud, status,
    call)``."""
    out: list[CallDiff] = []
    refusals: list[tuple[str, int, str]] = []
    first: tuple[str, int] | None = None
    for call in calls:
        refused = denied(call)
        if refused is not None:
            refusals.append((*refused, call.step.name))
            first = first or refused
            reason = f"not compared: {refused[0]} answered {refused[1]} (authorization)"
        elif first is not None and call.differences:
            reason = (f"not compared: follows a call {first[0]} refused with {first[1]} "
                      "(authorization)")
        else:
            out.append(call)
            continue
        out.append(CallDiff(call.step, call.microversion, call.a, call.b, reason, ()))
    return out, refusals


_REFUSED_STEP = re.compile(r"^answered (401|403), expected ")
_STEP_NAME = re.compile(r"^scenario '.*' (?:setup|teardown) '(.*)' at [^ ]+$")


def _refused_step(issue: Issue) -> tuple[int, str] | None:
    """``(status, step)`` for a setup or teardown step the cloud refused with 401/403."""
    match = _REFUSED_STEP.match(issue.what)
    if issue.category not in ("setup", "teardown") or match is None:
        return None
    name = _STEP_NAME.match(issue.where)
    return int(match.group(1)), (name.group(1) if name else issue.where)


def _answered(status: int) -> bool:
    return 200 <= status < 300 or (400 <= status < 500 and status not in _DENIED)


def authorization_problems(denials: Iterable[tuple[str, int, str, str, str]]) -> list[Problem]:
    """One problem per cloud from ``(cloud, status, scenario, call, sweep version)`` tuples."""
    by_cloud: dict[str, list[tuple[str, int, str, str, str]]] = {}
    for d in denials:
        by_cloud.setdefault(d[0], []).append(d)
    out: list[Problem] = []
    for cloud, group in sorted(by_cloud.items()):
        other = "B" if cloud == "A" else "A"
        statuses = sorted({d[1] for d in group})
        calls = list(dict.fromkeys(f"{d[2]}/{d[3]}" for d in group))
        shown = ", ".join(calls[:5]) + (f" and {len(calls) - 5} more" if len(calls) > 5 else "")
        versions = compress_versions(d[4] for d in group)
        option = "--token-a or INTEROPCHECK_TOKEN_A" if cloud == "A" else \
            "--token-b or INTEROPCHECK_TOKEN_B"
        out.append(Problem(
            cloud=cloud, where=f"{len(calls)} calls ({shown}) at {versions}",
            what=f"answered {'/'.join(map(str, statuses))} where {other} did not refuse: "
                 "its token may not do everything the profile calls (authorization policy, "
                 "not the API; these calls were not compared)",
            what_to_do=f"give {cloud} a token with more rights ({option}), e.g. an admin "
                       "token, or leave these scenarios out with --scenario"))
    return out


def _call_result(scenario: Scenario, c: CallDiff) -> CallResult:
    ref = c.a or c.b
    return CallResult(
        scenario=scenario.name, call=c.step.name, method=c.step.method,
        url=ref.url if ref is not None else c.step.url, microversion=c.microversion,
        status_a=c.a.status if c.a is not None else None,
        status_b=c.b.status if c.b is not None else None,
        findings=len(c.differences), skipped=c.skipped,
    )


def _call_results(scenario: Scenario, calls: Sequence[CallDiff]) -> list[CallResult]:
    return [_call_result(scenario, c) for c in calls]


# ---- problems -----------------------------------------------------------------------------------

_AT_VERSION = re.compile(r" at (\d+\.\d+)$")


def aggregate_issues(issues: Iterable[Issue]) -> list[Problem]:
    """One problem line per cause: repeats of a cause are folded into its first line."""
    groups: dict[tuple[str, ...], list[Issue]] = {}
    for issue in issues:
        if issue.category in _CLOUD_WIDE:
            key: tuple[str, ...] = (issue.cloud, issue.category)
        elif issue.category in _PER_ANSWER:
            key = (issue.cloud, issue.category, issue.what)
        else:
            key = (issue.cloud, issue.category, issue.what, _AT_VERSION.sub("", issue.where))
        groups.setdefault(key, []).append(issue)
    out: list[Problem] = []
    for key, group in groups.items():
        first = group[0]
        where = first.where
        if len(key) <= 3 and len(group) > 1:
            where = f"{where} (and {len(group) - 1} more calls)"
        elif len(group) > 1:
            versions = [m.group(1) for m in (_AT_VERSION.search(i.where) for i in group) if m]
            base = _AT_VERSION.sub("", first.where)
            where = f"{base} at {compress_versions(versions)}" if versions else \
                f"{where} (and {len(group) - 1} more)"
        # The last word on a cloud-wide cause says most ("stopped calling B after ...").
        todo = group[-1].what_to_do if len(key) == 2 else first.what_to_do
        out.append(Problem(cloud=first.cloud, where=where, what=first.what, what_to_do=todo))
    return out


# ---- the pipeline ---------------------------------------------------------------------------


def default_name(url: str) -> str:
    """A cloud's name when none is given: its URL's host (and port)."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _cloud_info(cloud: Cloud, info: VersionInfo | None, name: str | None = None
                ) -> CloudInfo:
    return CloudInfo(
        name=name or default_name(cloud.display_url) or cloud.name, url=cloud.display_url,
        min_version=str(info.min_version) if info else None,
        max_version=str(info.max_version) if info else None,
    )


class _Collector:
    """Per-job results, filled from worker threads."""

    def __init__(self, size: int) -> None:
        self.calls: list[list[CallDiff]] = [[] for _ in range(size)]
        self.issues: list[list[Issue]] = [[] for _ in range(size)]
        self.noise: list[list[str]] = [[] for _ in range(size)]
        self.lock = threading.Lock()


def run_diff(profile: Profile, clouds: Clouds, options: DiffOptions | None = None,
             progress: Progress | None = None) -> Report:
    """Run the whole diff and return the report (never raises for a cloud's behaviour)."""
    options = options or DiffOptions()
    started = _now()
    problems: list[Problem] = []

    infos: dict[str, VersionInfo | None] = {}
    for cloud in clouds.all():
        info, issue = discover(profile, cloud)
        infos[cloud.name] = info
        if issue is not None:
            problems.append(issue.problem())
    a2 = clouds.a2 if clouds.a2 is not None and infos.get(clouds.a2.name) else None
    b2 = clouds.b2 if clouds.b2 is not None and infos.get(clouds.b2.name) else None
    clouds = Clouds(clouds.a, clouds.b, a2, b2)
    info_a, info_b = infos.get(clouds.a.name), infos.get(clouds.b.name)

    def report(versions: Sequence[Version] = (), findings: Sequence[Finding] = (),
               baselined: Sequence[Finding] = (), calls: Sequence[CallResult] = (),
               noise: Sequence[str] = (), accepted: Sequence[str] = ()) -> Report:
        return Report(
            tool=f"interopcheck {__version__}", profile=profile.name,
            service_type=profile.service_type,
            cloud_a=_cloud_info(clouds.a, info_a, options.name_a),
            cloud_b=_cloud_info(clouds.b, info_b, options.name_b),
            microversions=tuple(str(v) for v in versions), started_at=started,
            finished_at=_now(), findings=tuple(findings), calls=tuple(calls),
            problems=tuple(problems), baselined=tuple(baselined), noise=tuple(noise),
            fail_on=options.fail_on, accepted=tuple(accepted),
        )

    if info_a is None or info_b is None:
        return report()
    common = common_range(info_a, info_b)
    if common is None:
        problems.append(Problem(
            "A+B", "version discovery",
            f"no version in common: A serves {info_a.min_version}-{info_a.max_version}, "
            f"B serves {info_b.min_version}-{info_b.max_version}",
            "compare clouds of the same service and major version"))
        return report()
    try:
        versions, outside = select(options.microversions, *common)
    except VersionError as exc:
        problems.append(Problem("A+B", "--microversions", str(exc),
                                "give all, latest-common, a list such as 1.2,1.14 or a "
                                "range such as 1.10-1.20"))
        return report()
    if outside:
        problems.append(Problem(
            "A+B", "--microversions",
            f"{', '.join(outside)} not served by both clouds (common: {common[0]}-{common[1]})",
            "choose versions inside the common range"))
    scenarios = [s for s in profile.scenarios
                 if not options.scenarios or any(fnmatchcase(s.name, p)
                                                 for p in options.scenarios)]
    if not scenarios:
        problems.append(Problem("A+B", "--scenario",
                                f"no scenario of profile {profile.name!r} matches "
                                f"{', '.join(options.scenarios)}",
                                "list the scenarios with: interopcheck profile NAME --list"))
        return report(versions)
    jobs = [Job(s, v) for s in scenarios for v in versions if s.applies(v)]
    result = diff_jobs(profile, clouds, jobs, common, options, progress)
    problems.extend(result.problems)
    return report(versions, result.findings, result.baselined, result.calls, result.noise,
                  result.accepted)


@dataclass(frozen=True)
class JobsResult:
    """What running and judging some jobs gives: the parts of a :class:`Report` they fill."""

    findings: tuple[Finding, ...] = ()
    baselined: tuple[Finding, ...] = ()
    calls: tuple[CallResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    noise: tuple[str, ...] = ()
    accepted: tuple[str, ...] = ()


def accepted_lines(accepted: Iterable[tuple[IgnoreRule, str]]) -> list[str]:
    """One line per declared departure that accepted differences: where, why, how often.

    ``accepted`` holds ``(rule, "scenario/call")`` pairs, one per accepted difference.
    """
    seen: dict[IgnoreRule, list[str]] = {}
    for rule, call in accepted:
        seen.setdefault(rule, []).append(call)
    return [f"{rule.origin or 'ignore'}: {rule.describe()}: {rule.reason.strip()} "
            f"({len(calls)} differences at {len(set(calls))} calls)"
            for rule, calls in seen.items()]


def diff_jobs(profile: Profile, clouds: Clouds, jobs: Sequence[Job],
              common: tuple[Version, Version], options: DiffOptions | None = None,
              progress: Progress | None = None) -> JobsResult:
    """Stages 2-7 (run, compare, ignore, noise, findings, baseline) for ``jobs``.

    ``common`` is the range both clouds serve (from discovery); its top is the version
    ``microversion: latest`` steps send. :func:`run_diff` calls this once for the whole
    sweep; the pytest plugin calls it once per test item (one job). A scenario pinning a
    version outside ``common`` is not run: its calls come back skipped, with the reason.
    """
    options = options or DiffOptions()
    compare_options = CompareOptions(
        ignored_headers=DEFAULT_IGNORED_HEADERS | profile.ignore_headers)
    latest = common[1]
    scenarios = list({j.scenario.name: j.scenario for j in jobs}.values())
    runnable, unrunnable = _runnable(scenarios, common)
    names = {s.name for s in runnable}
    to_run = [j for j in jobs if j.scenario.name in names]
    collected = _collector_run(profile, clouds, to_run, latest, options, compare_options,
                               progress)
    findings: list[Finding] = []
    calls: list[CallResult] = []
    noise: list[str] = []
    issues: list[Issue] = []
    denials: list[tuple[str, int, str, str, str]] = []
    accepted: list[tuple[IgnoreRule, str]] = []
    seen: set[str] = set()
    for i, job in enumerate(to_run):
        for call in collected.calls[i]:
            accepted.extend((r, f"{job.scenario.name}/{call.step.name}") for r in call.accepted)
        job_calls, refusals = _authorized(collected.calls[i])
        denials.extend((cloud, status, job.scenario.name, name, str(job.version))
                       for cloud, status, name in refusals)
        for finding in _findings(job.scenario, job.version, job_calls, options.deployment):
            if finding.key not in seen:
                seen.add(finding.key)
                findings.append(finding)
        calls.extend(_call_results(job.scenario, job_calls))
        noise.extend(collected.noise[i])
        for issue in collected.issues[i]:
            refusal = _refused_step(issue)
            if refusal is None:
                issues.append(issue)
            else:
                denials.append((issue.cloud, refusal[0], job.scenario.name, refusal[1],
                                str(job.version)))
    for scenario, reason in unrunnable:
        calls.extend(CallResult(scenario=scenario.name, call=step.name, method=step.method,
                                url=step.url, microversion=str(job.version), status_a=None,
                                status_b=None, findings=0, skipped=reason)
                     for job in jobs if job.scenario.name == scenario.name
                     for step in scenario.calls if step.compare and step.applies(job.version))
    baselined: list[Finding] = []
    if options.baseline is not None:
        findings, baselined = options.baseline.split(findings)
    problems = [*aggregate_issues(issues), *authorization_problems(denials)]
    return JobsResult(tuple(findings), tuple(baselined), tuple(calls), tuple(problems),
                      tuple(dict.fromkeys(noise)), tuple(accepted_lines(accepted)))


def _runnable(scenarios: Sequence[Scenario], common: tuple[Version, Version]
              ) -> tuple[list[Scenario], list[tuple[Scenario, str]]]:
    """Scenarios whose pinned versions both clouds serve, and the others with the reason."""
    low, high = common
    ok: list[Scenario] = []
    skipped: list[tuple[Scenario, str]] = []
    for scenario in scenarios:
        pinned = sorted({s.mv_fixed for s in (*scenario.setup, *scenario.calls,
                                               *scenario.teardown)
                         if s.mv_fixed is not None and not low <= s.mv_fixed <= high})
        if pinned:
            skipped.append((scenario, f"the scenario needs microversion "
                                      f"{', '.join(map(str, pinned))}, outside the common "
                                      f"range {low}-{high}"))
        else:
            ok.append(scenario)
    return ok, skipped


def _collector_run(profile: Profile, clouds: Clouds, jobs: Sequence[Job], latest: Version,
                   options: DiffOptions, compare_options: CompareOptions,
                   progress: Progress | None) -> _Collector:
    collected = _Collector(len(jobs))
    compared: dict[int, list[CallDiff]] = {}  # first runs compared by `differs`, by id

    def differs(pair: RunPair) -> bool:
        calls = compare_pair(pair, profile, options, compare_options, latest)
        with collected.lock:
            compared[id(pair)] = calls
        if options.noise == "always":
            return True
        return options.noise != "off" and any(c.differences for c in calls)

    def done(i: int, first: RunPair, second: RunPair | None) -> None:
        with collected.lock:
            calls = compared.pop(id(first), None)
        if calls is None:
            calls = compare_pair(first, profile, options, compare_options, latest)
        noise: list[str] = []
        issues = [*first.a.issues, *first.b.issues]
        if second is not None:
            issues.extend([*second.a.issues, *second.b.issues])
            second_calls = compare_pair(second, profile, options, compare_options, latest)
            calls, noise = cancel_noise(calls, second, compare_options, second_calls)
        # Keep the exchanges of differing calls only (they feed the findings).
        calls = [c if c.differences else CallDiff(c.step, c.microversion,
                                                   _status_only(c.a), _status_only(c.b),
                                                   c.skipped, (), c.accepted)
                 for c in calls]
        with collected.lock:
            collected.calls[i] = calls
            collected.issues[i] = issues
            collected.noise[i] = noise

    if progress is not None:
        progress.start(f"{profile.name}: {len(jobs)} scenario runs on A and B", len(jobs))
    run_jobs(profile, jobs, clouds, latest, on_done=done, second=differs,
             concurrency=max(1, options.concurrency), progress=progress)
    return collected


def _status_only(exchange: Exchange | None) -> Exchange | None:
    """A light copy (status and url) of an exchange whose details are no longer needed."""
    if exchange is None:
        return None
    return Exchange(method=exchange.method, url=exchange.url, request_headers=(),
                    status=exchange.status, headers=())
