"""Re-record the reference snapshots shipped in the package from real Placement releases.

    python tools/record_reference_snapshots.py [16.0] [12.0]

For each release: ../shared/tools/real-placement/start.sh installs it into its own venv
(RP_BASE per release, the library pins an old release needs), starts it on a free
loopback port with a fresh SQLite database, ``interopcheck record`` runs the whole
placement profile at every microversion into
``interopcheck/snapshot/reference/placement-<release>.snapshot.json.gz``, and the
server is stopped (by its PID file, through stop.sh).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT.parent / "shared" / "tools" / "real-placement"
OUT = ROOT / "interopcheck" / "snapshot" / "reference"
RELEASES = {
    "16.0": {"RP_PIP_SPEC": "openstack-placement>=16,<17", "RP_PIP_EXTRA": ""},
    "12.0": {"RP_PIP_SPEC": "openstack-placement==12.0.0", "RP_PIP_EXTRA": "oslo.policy<4.5"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _installed(env: dict[str, str]) -> str:
    python = Path(env["RP_BASE"]) / "venv" / "bin" / "python"
    code = "from importlib.metadata import version; print(version('openstack-placement'))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def record(release: str) -> int:
    env = {**os.environ, **RELEASES[release], "RP_FRESH": "1",
           "RP_BASE": os.environ.get(f"RP_BASE_{release.replace('.', '_')}",
                                     f"/tmp/interopcheck-rp-{release}")}
    port = _free_port()
    subprocess.run(["bash", str(TOOLS / "start.sh"), str(port)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    try:
        target = OUT / f"placement-{release}.snapshot.json.gz"
        return subprocess.run(
            [sys.executable, "-m", "interopcheck.cli", "record", f"http://127.0.0.1:{port}",
             "--out", str(target), "--release", f"openstack-placement {_installed(env)}"],
            cwd=ROOT, check=False).returncode
    finally:
        subprocess.run(["bash", str(TOOLS / "stop.sh"), str(port)], env=env, check=False,
                       stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    releases = argv or list(RELEASES)
    unknown = [r for r in releases if r not in RELEASES]
    if unknown:
        print(f"unknown release {unknown[0]!r} (known: {', '.join(RELEASES)})", file=sys.stderr)
        return 2
    return max(record(r) for r in releases)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
