"""Judging generated calls: two answers compared, or one answer against the document.

Two clouds: :func:`compare_answers` is :func:`interopcheck.compare.compare` with the
headers ``diff`` ignores, classified by :func:`interopcheck.findings.classify`.

One cloud (:func:`judge_answer`):

- ``FUZZ001`` a server error (5xx);
- ``FUZZ002`` an answer the document's view of the version does not allow (schemathesis's
  response checks: body schema, documented status code, content type, headers);
- ``FUZZ003`` a success for an operation called below the version it appears in;
- the live API-SIG rules of the catalog (:mod:`interopcheck.rules`), in strict or
  tolerant mode (tolerant drops the known departures of
  :mod:`interopcheck.check.tolerance`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from interopcheck.check.sources.live import LiveSource, targets_of
from interopcheck.check.tolerance import departure
from interopcheck.compare import Exchange
from interopcheck.compare.structural import CompareOptions, compare, normalise_uuids
from interopcheck.diff import DEFAULT_IGNORED_HEADERS
from interopcheck.findings import Severity, Verdict, classify
from interopcheck.rules import evaluate

__all__ = ["FUZZ_RULES", "Judgement", "compare_answers", "judge_answer"]

COMPARE_OPTIONS = CompareOptions(ignored_headers=DEFAULT_IGNORED_HEADERS)

FUZZ_RULES = {
    "FUZZ001": "the service answered a generated request with a server error (5xx)",
    "FUZZ002": "the answer is not what the OpenAPI document allows at this microversion",
    "FUZZ003": "an operation answered with success below the microversion it appears in",
}
_NUMBERS = re.compile(r"\b\d+\b")


@dataclass(frozen=True, slots=True)
class Judgement:
    """One problem with one call: a difference (two clouds) or a violation (one cloud)."""

    kind: str
    path: str
    a: str
    b: str
    verdict: Verdict
    detail: str = ""


def compare_answers(a: Exchange, b: Exchange) -> list[Judgement]:
    """The structural differences between A's and B's answers to the same call."""
    return [Judgement(d.kind, d.path, d.a, d.b, classify(d.kind, d.path, d.a, d.b))
            for d in compare(a, b, COMPARE_OPTIONS)]


def _schema_failures(case: Any, response: httpx.Response) -> list[tuple[str, str]]:
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [response_schema_conformance, status_code_conformance, content_type_conformance,
              response_headers_conformance]
    try:
        case.validate_response(response, checks=checks)
    except FailureGroup as group:
        return [(str(getattr(f, "title", type(f).__name__)), str(getattr(f, "message", f)))
                for f in group.exceptions]
    except AssertionError as exc:
        return [("Response check failed", str(exc))]
    return []


def judge_answer(exchange: Exchange, response: httpx.Response, case: Any | None, *,
                 version: str | None, below_minimum: bool, mode: str,
                 version_header: str, label: str) -> list[Judgement]:
    """What is wrong with one cloud's answer to a generated call."""
    out: list[Judgement] = []
    status = exchange.status
    if status >= 500:
        out.append(Judgement("server-error", "status", str(status), "< 500", Verdict(
            "FUZZ001", True, False, Severity.ERROR,
            f"{label} answered {status}: a server error for a generated request")))
    if below_minimum:
        if 200 <= status < 300:
            out.append(Judgement("below-minimum", "status", str(status), "404 or 405", Verdict(
                "FUZZ003", False, True, Severity.ERROR,
                f"{label} answered {status} at {version}, below the version it appears in")))
    elif case is not None and status < 500:
        for title, message in _schema_failures(case, response):
            first = message.strip().splitlines()[0] if message.strip() else title
            out.append(Judgement("schema", title, _NUMBERS.sub("N", normalise_uuids(first)),
                                 "(document)", Verdict(
                                     "FUZZ002", True, False, Severity.ERROR,
                                     f"{label}: {title.lower()}"), detail=message[:2000]))
    out.extend(_guidelines(exchange, version, mode, version_header, label))
    return out


def _guidelines(exchange: Exchange, version: str | None, mode: str, version_header: str,
                label: str) -> Sequence[Judgement]:
    served = exchange.header(version_header)
    source = LiveSource("scenario", f"fuzz {label}", exchange.method, exchange.url,
                        exchange.status, version, tuple(exchange.request_headers), served)
    violations = evaluate(list(targets_of(exchange, source)), mode="live")
    out = []
    for v in violations:
        if mode == "tolerant" and departure(v) is not None:
            continue
        message = _NUMBERS.sub("N", normalise_uuids(v.message))
        breaks = v.severity is Severity.ERROR
        out.append(Judgement("guideline", v.rule, message, "(guideline)", Verdict(
            v.rule, breaks, False, v.severity, f"{v.rule}: {v.message}"),
            detail=v.pointer))
    return out
