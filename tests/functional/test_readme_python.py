"""The README's "Use it from Python" example runs as written, against two refclouds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from interopcheck.launcher import RefcloudServer, start_refclouds

ROOT = Path(__file__).resolve().parents[2]


def _example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README has no Python example"
    return found.group(1)


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = _example()
    servers = [RefcloudServer(tmp_path / "clouds", name=f"refcloud-{i}") for i in range(2)]
    with start_refclouds(servers) as (a, b):
        code = code.replace("http://127.0.0.1:8780", a.url).replace("http://127.0.0.1:8781",
                                                                     b.url)
        code = code.replace('"reference-impl/', f'"{ROOT}/reference-impl/')
        monkeypatch.chdir(tmp_path)
        exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "0"  # two identical refclouds
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "guidelines.json", "guidelines.txt", "lint.sarif", "report.html", "report.json"]
    report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert report["microversions"] == ["1.0", "1.39"] and report["problems"] == []
    assert printed[-1] == "False True"  # refcloud: strict fails, tolerant passes
