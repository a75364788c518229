"""``interopcheck fuzz``: generated calls on one or two clouds, version by version.

For each selected microversion the OpenAPI document is resolved to that version's
view (:func:`interopcheck.fuzz.view.view_at`) and handed to schemathesis, which
generates the calls, in this order per operation:

1. ``examples``: the document's own examples;
2. ``positive`` then ``negative``: property-based calls (hypothesis) that the
   version's schemas accept, then calls they reject;
3. ``stateful``: sequences that follow the document's links (an answer's values feed
   the next call), when the document has links;
4. ``below-minimum``: every operation whose ``x-openstack`` minimum is above the
   lowest selected version, called (with a request valid at its minimum) at the
   version just below it, where the document says it does not exist.

Each call goes to A and then to B with the same version header; the answers are
compared by structure (:mod:`interopcheck.fuzz.judge`). With one cloud, each answer
is judged on its own: server errors, the version's schemas, the live guideline rules.
Values a server generated (UUIDs in answers and ``Location``) are carried from A's
answers to B's requests (:class:`~interopcheck.fuzz.wire.ValueMap`).

Budgets: ``max_examples`` per operation, phase and version, ``seed`` (hypothesis's
seed, so a run can be repeated), ``time_limit`` for the whole run (the run stops
where it is and says so). Nothing here prints: progress goes through
:class:`~interopcheck.runner.run.Progress`.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from interopcheck import __version__
from interopcheck.causes import Cause, group_causes
from interopcheck.compare import Exchange
from interopcheck.diff import aggregate_issues
from interopcheck.findings import Finding
from interopcheck.fuzz.judge import Judgement, compare_answers, judge_answer
from interopcheck.fuzz.repro import curl_line, profile_step
from interopcheck.fuzz.view import below_minimum, document_range, operations, view_at
from interopcheck.fuzz.wire import Call, Connection, ValueMap, call_from_case, send
from interopcheck.microversion import Version, VersionError, select
from interopcheck.profile.model import Profile
from interopcheck.report import CallResult, CloudInfo, Problem, Report
from interopcheck.runner.call import Issue
from interopcheck.runner.clouds import Cloud
from interopcheck.runner.discovery import VersionInfo, discover
from interopcheck.runner.run import Progress

__all__ = ["PHASES", "FuzzOptions", "FuzzResult", "run_fuzz"]

PHASES = ("examples", "positive", "negative", "stateful", "below-minimum")


@dataclass(frozen=True)
class FuzzOptions:
    """What to generate and how much (the command line's options, as data)."""

    microversions: str = "ends"  # ends (lowest and highest), all, or a list/range spec
    max_examples: int = 20
    seed: int | None = None
    time_limit: float | None = None
    phases: tuple[str, ...] = PHASES
    operations: tuple[str, ...] = ()  # globs on "METHOD /path"
    mode: str = "tolerant"  # one cloud: strict or tolerant guideline rules
    stateful_steps: int = 6
    below_minimum_examples: int = 3


@dataclass
class FuzzResult:
    """The report, its causes, and how many calls were generated where."""

    report: Report
    causes: list[Cause]
    examples: Counter[tuple[str, str]] = field(default_factory=Counter)
    stopped: str | None = None
    seed: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(self.examples.values())


def _exchange_json(exchange: Exchange | None, part: str, limit: int = 65536) -> str:
    """The request or response of ``exchange`` as JSON text (a large body is not kept)."""
    if exchange is None:
        return ""
    data = exchange.to_dict()[part]
    text = json.dumps(data, ensure_ascii=False, default=str)
    if len(text) > limit:
        text = json.dumps(dict(data, body=f"<{len(text)} characters, not kept>"),
                          ensure_ascii=False, default=str)
    return text


class _OutOfBudget(Exception):
    """The time limit ran out, or a cloud stopped answering."""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _hypothesis_settings(max_examples: int, **extra: Any) -> Any:
    from hypothesis import HealthCheck, Phase, settings

    return settings(max_examples=max_examples, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck), print_blob=False, **extra)


class _Run:
    """State of one fuzz run: clouds, counters, findings so far."""

    def __init__(self, clouds: Sequence[Cloud], connection: Connection, options: FuzzOptions,
                 progress: Progress | None) -> None:
        self.clouds = list(clouds)
        self.connection = connection
        self.options = options
        self.progress = progress
        self.deadline = (time.monotonic() + options.time_limit) if options.time_limit else None
        self.values = ValueMap()
        self.examples: Counter[tuple[str, str]] = Counter()
        self.findings: dict[tuple[str, ...], Finding] = {}
        self.seen: Counter[tuple[str, ...]] = Counter()
        self.issues: list[Issue] = []
        #: What the generator could not do (not the clouds' fault): shown, not failing.
        self.notes: list[str] = []
        self.calls: dict[tuple[str, str, str], CallResult] = {}
        self.stopped: str | None = None

    # ---- one generated call ------------------------------------------------------------

    def exercise(self, case: Any, version: Version, label: str, phase: str, *,
                 sent_version: Version | None = None, trail: list[str] | None = None,
                 pool: Any = None) -> Any:
        """Send one case to every cloud, judge the answers; A's httpx response."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.stopped = f"time limit of {self.options.time_limit:g}s reached"
            raise _OutOfBudget(self.stopped)
        call = call_from_case(case, self.connection.managed)
        at = str(sent_version or version)
        below = phase == "below-minimum"
        self.examples[(at, label)] += 1
        a_cloud = self.clouds[0]
        ex_a, resp_a, issue = send(a_cloud, self.connection, call, at)
        if issue is not None:
            self.issues.append(issue)
        judgements: list[Judgement] = []
        ex_b: Exchange | None = None
        call_b = call
        if len(self.clouds) == 2:
            call_b = self.values.apply(call)
            ex_b, _resp_b, issue_b = send(self.clouds[1], self.connection, call_b, at)
            if issue_b is not None:
                self.issues.append(issue_b)
            if ex_a is not None and ex_b is not None:
                judgements = compare_answers(ex_a, ex_b)
                self.values.learn(ex_a, ex_b)
        elif ex_a is not None and resp_a is not None:
            judgements = judge_answer(ex_a, resp_a, None if below else case, version=at,
                                      below_minimum=below, mode=self.options.mode,
                                      version_header=self.connection.version_header,
                                      label=label)
        if pool is not None and resp_a is not None:
            _remember(pool, case, resp_a)
        if any(c.down for c in self.clouds):
            self.stopped = "a cloud stopped answering"
            raise _OutOfBudget(self.stopped)
        self._record(call, at, label, phase, ex_a, ex_b, judgements, trail)
        if trail is not None:
            trail.append(curl_line(call, a_cloud.display_url, self.connection, at))
        return resp_a

    def _record(self, call: Call, at: str, label: str, phase: str, ex_a: Exchange | None,
                ex_b: Exchange | None, judgements: Sequence[Judgement],
                trail: list[str] | None) -> None:
        key = (at, label, phase)
        previous = self.calls.get(key)
        self.calls[key] = CallResult(
            scenario=f"fuzz {label}", call=phase, method=call.method, url=call.url,
            microversion=at, status_a=ex_a.status if ex_a else None,
            status_b=ex_b.status if ex_b else None,
            findings=(previous.findings if previous else 0) + len(judgements))
        for j in judgements:
            fkey = (f"fuzz {label}", phase, at, j.kind, j.path, j.a, j.b)
            self.seen[fkey] += 1
            if fkey in self.findings:
                continue
            extra = {
                "request": _exchange_json(ex_a or ex_b, "request"),
                "response_a": _exchange_json(ex_a, "response"),
                "response_b": _exchange_json(ex_b, "response"),
                "curl": curl_line(call, self.clouds[0].display_url, self.connection, at),
                "profile_step": profile_step(call, at, f"fuzz-{phase}"),
                "phase": phase,
            }
            if len(self.clouds) == 2 and ex_b is not None and ex_b.url != call.url:
                extra["url_b"] = ex_b.url
            if j.detail:
                extra["detail"] = j.detail
            if trail:
                extra["sequence"] = "\n".join(trail[-8:])
            v = j.verdict
            self.findings[fkey] = Finding(
                scenario=f"fuzz {label}", call=phase, method=call.method, url=call.url,
                microversion=at, kind=j.kind, path=j.path, a=j.a, b=j.b, rule=v.rule,
                breaks_clients=v.breaks_clients, needs_version_bump=v.needs_version_bump,
                severity=v.severity, summary=v.summary, extra=extra)

    # ---- generation ----------------------------------------------------------------------

    def run_strategy(self, strategy: Any, max_examples: int,
                     on_case: Callable[[Any], None], label: str = "") -> None:
        """Up to ``max_examples`` cases of ``strategy``, each handed to ``on_case``.

        A session whose draws changed because the server's state did (the value pool
        learns from answers) is restarted with the next seed, as schemathesis's own
        engine does, until the budget is spent.
        """
        import hypothesis
        from hypothesis.errors import FlakyStrategyDefinition

        done = 0
        seed = self.options.seed
        for _restart in range(6):
            budget = max_examples - done
            if budget <= 0:
                return

            @_hypothesis_settings(budget)
            @hypothesis.given(case=strategy)
            def test(case: Any) -> None:
                nonlocal done
                done += 1
                on_case(case)

            if seed is not None:
                test = hypothesis.seed(seed)(test)
            try:
                test()
                return
            except _OutOfBudget:
                raise
            except hypothesis.errors.Unsatisfiable:
                return  # no such call exists (e.g. no invalid call for an operation without input)
            except FlakyStrategyDefinition:
                seed = None if seed is None else seed + 1
                continue
            except Exception as exc:  # generation errors: problems of the document, not findings
                if isinstance(getattr(exc, "__cause__", None), _OutOfBudget):
                    raise exc.__cause__ from None  # type: ignore[misc]
                if self.stopped:
                    raise _OutOfBudget(self.stopped) from None
                self.notes.append(f"{label}: could not generate calls: "
                                  f"{type(exc).__name__}: "
                                  f"{(str(exc).splitlines() or [''])[0]}"[:300])
                return


def _remember(pool: Any, case: Any, response: Any) -> None:
    """Let schemathesis reuse what A answered (UUIDs of created objects) in later calls."""
    from schemathesis.core.transport import Response
    from schemathesis.resources import record_delete_attempt, record_interaction

    answer = Response.from_any(response)
    record_interaction(pool, case, answer)
    if case.method.upper() == "DELETE":
        record_delete_attempt(pool, case, answer.status_code)


def _schema_of(view: dict[str, Any]) -> Any:
    import schemathesis

    return schemathesis.openapi.from_dict(view)


def _has_links(view: dict[str, Any]) -> bool:
    for item in (view.get("paths") or {}).values():
        for op in item.values() if isinstance(item, dict) else ():
            if isinstance(op, dict):
                for response in (op.get("responses") or {}).values():
                    if isinstance(response, dict) and response.get("links"):
                        return True
    return False


def _versions(document: dict[str, Any], infos: Sequence[VersionInfo], spec: str,
              problems: list[Problem]) -> list[Version]:
    bounds = document_range(document)
    if bounds is None:
        problems.append(Problem("document", "x-openstack", "the document names no "
                                "microversion (no x-openstack min-ver/max-ver, no "
                                "info.version)", "fuzz needs a microversioned document"))
        return []
    low = max([bounds[0], *(i.min_version for i in infos)])
    high = min([bounds[1], *(i.max_version for i in infos)])
    if low > high:
        served = ", ".join(f"{i.cloud} serves {i.min_version}-{i.max_version}" for i in infos)
        problems.append(Problem("A+B" if len(infos) > 1 else infos[0].cloud,
                                "version discovery",
                                f"no version in common with the document "
                                f"({bounds[0]}-{bounds[1]}): {served}",
                                "give the document of this service and major version"))
        return []
    if spec in ("ends", ""):
        return sorted({low, high})
    try:
        versions, outside = select(spec, low, high)
    except VersionError as exc:
        problems.append(Problem("A+B", "--microversions", str(exc),
                                "give ends, all, a list such as 1.2,1.14 or a range"))
        return []
    if outside:
        problems.append(Problem("A+B", "--microversions",
                                f"{', '.join(outside)} outside the common range {low}-{high}",
                                "choose versions inside the common range"))
    return versions


def _wanted(label: str, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatchcase(label, g) or fnmatchcase(label.split(" ", 1)[1], g)
                            for g in globs)


def run_fuzz(document: dict[str, Any], clouds: Sequence[Cloud], profile: Profile,
             options: FuzzOptions | None = None, progress: Progress | None = None, *,
             spec_name: str = "openapi") -> FuzzResult:
    """Fuzz one cloud (``clouds[0]``) or compare two; never raises for a cloud's behaviour."""
    options = options or FuzzOptions()
    started = _now()
    connection = Connection(profile.service_type, profile.version_header, profile.auth.header)
    problems: list[Problem] = []
    infos: list[VersionInfo] = []
    for cloud in clouds:
        info, issue = discover(profile, cloud)
        if issue is not None:
            problems.append(issue.problem())
        if info is not None:
            infos.append(info)
    run = _Run(clouds, connection, options, progress)
    versions = _versions(document, infos, options.microversions, problems) \
        if len(infos) == len(clouds) else []

    def cloud_info(i: int) -> CloudInfo:
        if i >= len(clouds):
            return CloudInfo(name="document", url=spec_name)
        info = next((x for x in infos if x.cloud == clouds[i].name), None)
        return CloudInfo(clouds[i].name, clouds[i].display_url,
                         str(info.min_version) if info else None,
                         str(info.max_version) if info else None)

    if versions:
        try:
            _generate(document, versions, run)
        except _OutOfBudget:
            pass
    problems.extend(aggregate_issues(run.issues))
    if run.stopped:
        problems.append(Problem("A+B" if len(clouds) > 1 else clouds[0].name, "fuzz",
                                f"stopped early: {run.stopped}",
                                "the calls made so far are judged; raise --time-limit or "
                                "lower --max-examples for a full run"))
    findings = []
    for fkey, finding in run.findings.items():
        if run.seen[fkey] > 1:
            finding.extra["occurrences"] = str(run.seen[fkey])
        findings.append(finding)
    report = Report(
        tool=f"interopcheck {__version__}", profile=f"fuzz {spec_name}",
        service_type=profile.service_type, cloud_a=cloud_info(0), cloud_b=cloud_info(1),
        microversions=tuple(str(v) for v in versions), started_at=started,
        finished_at=_now(), findings=tuple(findings), calls=tuple(run.calls.values()),
        problems=tuple(problems))
    return FuzzResult(report, group_causes(findings), run.examples, run.stopped, options.seed,
                      list(dict.fromkeys(run.notes)))


def _generate(document: dict[str, Any], versions: Sequence[Version], run: _Run) -> None:
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.generation.modes import GenerationMode

    options = run.options
    drop = (run.connection.version_header, run.connection.auth_header)
    views = {v: view_at(document, v, drop_headers=drop) for v in versions}
    schemas = {v: _schema_of(view) for v, view in views.items()}
    plan: list[tuple[Version, Any, str]] = []
    for version, schema in schemas.items():
        for result in schema.get_all_operations():
            try:
                op = result.ok()
            except Exception as exc:  # an operation the generator cannot read
                run.notes.append(f"an operation was skipped: "
                                 f"{(str(exc).splitlines() or [''])[0]}"[:300])
                continue
            label = f"{op.method.upper()} {op.path}"
            if _wanted(label, options.operations):
                plan.append((version, op, label))
    below = [(op, b) for op in operations(document)
             if (b := below_minimum(op, versions[0])) is not None
             and _wanted(op.label, options.operations)] \
        if "below-minimum" in options.phases else []
    # Sequences follow the links wherever they lead: not run when operations are filtered.
    stateful = [v for v in versions if _has_links(views[v])] \
        if "stateful" in options.phases and not options.operations else []
    total = len(plan) + len(below) + len(stateful)
    if run.progress is not None:
        run.progress.start(f"fuzz: {len(plan)} operations x versions, "
                           f"{len(below)} below their minimum, "
                           f"{len(stateful)} stateful runs; {options.max_examples} examples "
                           f"each", total)
    modes = [(p, m) for p, m in (("positive", GenerationMode.POSITIVE),
                                 ("negative", GenerationMode.NEGATIVE))
             if p in options.phases]
    pools = {v: schema.create_extra_data_source() for v, schema in schemas.items()}
    for version, op, label in plan:
        pool = pools[version]
        if "examples" in options.phases:
            for strategy in schemas[version].get_strategies_from_examples(op):
                run.run_strategy(strategy, options.max_examples,
                                 lambda c, v=version, lb=label, p=pool:
                                 run.exercise(c, v, lb, "examples", pool=p), label)
        for phase, mode in modes:
            feedback = FeedbackSources(extra_data_source=pool) \
                if pool is not None and phase == "positive" else None
            run.run_strategy(op.as_strategy(generation_mode=mode, feedback=feedback),
                             options.max_examples,
                             lambda c, v=version, lb=label, ph=phase, p=pool:
                             run.exercise(c, v, lb, ph, pool=p), label)
        if run.progress is not None:
            run.progress.advance(f"{label} @ {version}")
    for op_info, version in below:
        minimum = op_info.min_version
        assert minimum is not None
        schema = _schema_of(view_at(document, minimum, drop_headers=drop))
        op = schema[op_info.path][op_info.method]
        run.run_strategy(op.as_strategy(generation_mode=GenerationMode.POSITIVE),
                         max(1, min(options.below_minimum_examples, options.max_examples)),
                         lambda c, v=version, lb=op_info.label:
                         run.exercise(c, v, lb, "below-minimum"), op_info.label)
        if run.progress is not None:
            run.progress.advance(f"{op_info.label} @ {version} (below its minimum)")
    for version in stateful:
        _run_stateful(schemas[version], version, run)
        if run.progress is not None:
            run.progress.advance(f"stateful sequences @ {version}")


def _run_stateful(schema: Any, version: Version, run: _Run) -> None:
    from schemathesis.core.transport import Response

    base = schema.as_state_machine()
    sequences = [0]

    class Machine(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            self.trail: list[str] = []
            sequences[0] += 1

        def call(self, case: Any, **kwargs: Any) -> Any:
            label = f"{case.operation.method.upper()} {case.operation.path}"
            response = run.exercise(case, version, label, "stateful", trail=self.trail)
            if response is None:
                raise _OutOfBudget("no answer")
            return Response.from_any(response)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any
                              ) -> None:
            return None

    from hypothesis.errors import Flaky, FlakyStrategyDefinition

    extra: dict[str, Any] = {"stateful_step_count": run.options.stateful_steps}
    if run.options.seed is not None:
        extra["derandomize"] = True
    try:
        for _restart in range(6):
            budget = run.options.max_examples - sequences[0]
            if budget <= 0:
                break
            try:
                Machine.run(settings=_hypothesis_settings(budget, **extra))
                break
            except (FlakyStrategyDefinition, Flaky):
                # the servers' state changed what a replayed sequence drew: go on afresh,
                # as schemathesis's own engine does
                extra.pop("derandomize", None)
                continue
    except _OutOfBudget:
        if run.stopped:
            raise
    except Exception as exc:
        if run.stopped:
            raise _OutOfBudget(run.stopped) from None
        run.notes.append(f"stateful sequences at {version} ended early: "
                         f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"[:300])
