"""Record the golden exchanges from a live, real OpenStack Placement.

Usage::

    RP_FRESH=1 ../shared/tools/real-placement/start.sh 8781      # a fresh, empty Placement
    python tests/golden/record.py http://127.0.0.1:8781 [SEQUENCE ...]
    ../shared/tools/real-placement/stop.sh 8781

Runs every sequence of ``sequences.yaml`` (or only the named ones) in order against
the URL, and writes ``tests/golden/recorded/<sequence>.json`` with each step's request
and response (headers without secrets; generated values written back as variables;
server-level headers dropped and per-request values such as request ids and dates
replaced by placeholders, since only their presence is compared).
A step whose ``status:`` differs from the live answer means the sequence does not test
what it says: that sequence is reported and not written (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a script: make ``tests.golden`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.golden import runner


def _source(client: httpx.Client) -> dict[str, str]:
    root = client.get("/", headers={"accept": "application/json"})
    server = root.headers.get("server", "")
    try:
        version = root.json()["versions"][0]
        versions = f"{version['min_version']}-{version['max_version']}"
    except (ValueError, KeyError, IndexError):
        versions = "unknown"
    return {"service": "OpenStack Placement", "versions": versions, "server": server}


# Values that change on every recording and are never compared (only the names are):
# they are dropped or replaced so that re-recording gives a small, reviewable diff.
_DROPPED_HEADERS = frozenset(
    {"date", "server", "connection", "keep-alive", "transfer-encoding", "content-length"}
)
_STABLE_HEADER_VALUES = {"x-openstack-request-id": "req-{uuid}", "last-modified": "{http-date}"}


def _stable(document: dict[str, Any]) -> dict[str, Any]:
    for step in document["steps"]:
        response = step["response"]
        response["headers"] = {
            name: _STABLE_HEADER_VALUES.get(name, value)
            for name, value in response["headers"].items()
            if name not in _DROPPED_HEADERS
        }
        body = response["body"]
        if isinstance(body, dict) and isinstance(body.get("errors"), list):
            for error in body["errors"]:
                if isinstance(error, dict) and "request_id" in error:
                    error["request_id"] = "req-{uuid}"
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="base URL of a live, real Placement (fresh database)")
    parser.add_argument("names", nargs="*", help="only these sequences (default: all)")
    parser.add_argument("--out", type=Path, default=runner.RECORDED_DIR,
                        help="directory for the recordings (default: %(default)s)")
    args = parser.parse_intermixed_args(argv)

    sequences = runner.load_sequences()
    if args.names:
        known = {s.name for s in sequences}
        unknown = sorted(set(args.names) - known)
        if unknown:
            parser.error(f"unknown sequences: {', '.join(unknown)}")
        sequences = [s for s in sequences if s.name in args.names]
    args.out.mkdir(parents=True, exist_ok=True)

    failed = 0
    with httpx.Client(base_url=args.url, timeout=30.0) as client:
        source = _source(client)
        for seq in sequences:
            exchanges = runner.run_sequence(seq, client)
            wrong = [
                f"    {step.label}: expected {step.status}, got {ex.status}"
                for step, ex in zip(seq.steps, exchanges, strict=True)
                if step.status is not None and step.status != ex.status
            ]
            if wrong:
                failed += 1
                print(f"NOT RECORDED {seq.name}:", *wrong, sep="\n", file=sys.stderr)
                continue
            document = _stable(runner.recording_document(seq, exchanges, source))
            path = runner.recording_path(seq, args.out)
            path.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n",
                            encoding="utf-8")
            print(f"recorded {seq.name} ({len(exchanges)} steps)")
    info = runner.describe(sequences)
    print(f"{info['sequences'] - failed}/{info['sequences']} sequences recorded, "
          f"{info['steps']} steps")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
