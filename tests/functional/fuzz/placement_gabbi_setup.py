#!/usr/bin/env python3
"""Per-file set-up for ``interopcheck diff --gabbi`` over Placement's own gabbi files.

Give it as ``--gabbi-setup``; before each file, on each cloud, it

1. resets that cloud to a fresh, empty database: ``sh -c "$GABBI_RESET_A"`` (or
   ``_B``), run with ``GABBIT_URL=$GABBI_URL`` so ``tests/gabbi/reset-refcloud.sh``
   works unchanged; for a real Placement from ``start.sh``:
   ``RP_FRESH=1 ../shared/tools/real-placement/start.sh PORT``;
2. re-creates the data of the file's gabbi fixture over the HTTP API (the fixture
   builders of ``../shared/tools/real-placement/run_gabbits.py``, the same code
   ``run-gabbits.sh`` uses);
3. prints the fixture's ``$ENVIRON`` values as ``KEY=VALUE`` lines.

UUIDs are drawn from a generator seeded with the file name, so A and B get the same
values and the same URLs. ``$INTEROPCHECK_SHARED`` points at the shared folder
(default: ``shared`` beside the checkout).

    GABBI_RESET_A="RP_FRESH=1 ../shared/tools/real-placement/start.sh 8780" \\
    GABBI_RESET_B="bash tests/gabbi/reset-refcloud.sh" \\
    interopcheck diff http://127.0.0.1:8780 http://127.0.0.1:8790 \\
        --gabbi GABBITS/*.yaml --gabbi-setup "python tests/functional/fuzz/placement_gabbi_setup.py"
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _tools() -> Path:
    shared = os.environ.get("INTEROPCHECK_SHARED")
    return (Path(shared) if shared else REPO.parent / "shared") / "tools" / "real-placement"


def main() -> int:
    url = os.environ["GABBI_URL"].rstrip("/")
    cloud = os.environ["GABBI_CLOUD"]
    path = Path(os.environ["GABBI_FILE"])
    reset = os.environ.get(f"GABBI_RESET_{cloud}")
    if reset:
        done = subprocess.run(["sh", "-c", reset], env=dict(os.environ, GABBIT_URL=url),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(f"reset of {cloud} failed: {done.stderr[-500:]}\n")
            return 1
    sys.path.insert(0, str(_tools()))
    import run_gabbits  # the shared fixture builders

    rng = random.Random(path.name)
    run_gabbits.u = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if not run_gabbits.wait_up(url, 60):
        sys.stderr.write(f"{url} did not come up\n")
        return 1
    env = run_gabbits.api_fixture_env(False)
    fixture = run_gabbits.file_fixture(str(path))
    builder = run_gabbits.DATA_FIXTURES.get(fixture)
    if builder is not None:
        builder(run_gabbits.Builder(run_gabbits.Api(url), False), env)
    for key, value in env.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
