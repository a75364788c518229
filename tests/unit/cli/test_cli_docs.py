"""The command line and README.md agree: every subcommand, every option, every choice.

The argparse tree built by :func:`interopcheck.cli.build_parser` is walked; each subcommand
needs a description, each option a help text, and README.md a synopsis (``interopcheck CMD
...`` in a fenced block) that names every long option of that command and, for an option
with fixed choices, exactly those choices (``--mode strict|tolerant``).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from interopcheck.cli import build_parser

README = Path(__file__).resolve().parents[3] / "README.md"
_OPTION = re.compile(r"(--[a-z][a-z0-9-]*)(?:[ =]([^\s\]\[]+))?")


def _commands(parser: argparse.ArgumentParser,
              path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                          argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions
            if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction,
                                  argparse._VersionAction))]


def _long(action: argparse.Action) -> str | None:
    longs = [o for o in action.option_strings if o.startswith("--")]
    return longs[0] if longs else None


def synopses(readme: str, commands: set[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """Per command path, the text of every ``interopcheck CMD ...`` line (with its ``\\``
    continuations) inside README.md's fenced code blocks."""
    found: dict[tuple[str, ...], str] = {}
    in_block, current, continuing = False, None, False
    for line in readme.splitlines():
        if line.lstrip().startswith("```"):
            in_block, current, continuing = not in_block, None, False
            continue
        if not in_block:
            continue
        text = line.split("  #", 1)[0]
        if continuing and current is not None:
            found[current] += " " + text
        elif text.startswith("interopcheck "):
            words = text.split()[1:]
            current = None
            for n in range(len(words), 0, -1):
                if tuple(words[:n]) in commands:
                    current = tuple(words[:n])
                    break
            if current is not None:
                found[current] = found.get(current, "") + " " + text
        else:
            current = None
        continuing = text.rstrip().endswith("\\")
    return found


def _number(values: set[str]) -> float | None:
    """The number a synopsis shows as an option's value (``[--timeout 30]``), if it does."""
    for value in values:
        try:
            return float(value)
        except ValueError:
            continue
    return None


def problems(readme: str, parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Every disagreement between the argparse tree and ``readme``, one line each."""
    tree = dict(_commands(parser or build_parser()))
    docs = synopses(readme, set(tree))
    out: list[str] = []
    for path, parser in tree.items():
        name = " ".join(("interopcheck", *path))
        if path and not parser.description:
            out.append(f"{name}: no description")
        subcommands = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
        if path and path not in docs and not (subcommands and len(path) > 1):
            out.append(f"{name}: no synopsis in README.md")
        synopsis = docs.get(path, "")
        seen: dict[str, set[str]] = {}
        for option, value in _OPTION.findall(synopsis):
            seen.setdefault(option, set())
            if value:
                seen[option].add(value)
        for action in _options(parser):
            label = _long(action) or action.dest
            if not action.help:
                out.append(f"{name} {label}: no help text")
            if not path or _long(action) is None:
                continue
            if label not in seen:
                out.append(f"{name} {label}: not in README.md's synopsis")
            elif _number(seen[label]) is not None and isinstance(action.default, (int, float)) \
                    and _number(seen[label]) != action.default:
                out.append(f"{name} {label}: README.md says {_number(seen[label]):g}, the "
                           f"default is {action.default:g}")
            elif action.choices and action.type is None:
                documented = {c for v in seen[label] for c in v.split("|")}
                missing = sorted(str(c) for c in action.choices if str(c) not in documented)
                if missing:
                    out.append(f"{name} {label}: README.md does not list {', '.join(missing)}")
    return out


def test_every_option_has_help_and_is_in_readme() -> None:
    assert problems(README.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("option", ["--disable", "--microversions", "--fail-on"])
def test_an_option_removed_from_the_readme_is_reported(option: str) -> None:
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("interopcheck check URL"))
    end = start
    while lines[end].rstrip().endswith("\\"):
        end += 1
    block = "\n".join(lines[start:end + 1])
    assert option in block
    cut = re.sub(rf"\[{re.escape(option)}[^\]]*\]", "", block)
    changed = text.replace(block, cut)
    assert f"interopcheck check {option}: not in README.md's synopsis" in problems(changed)


def test_a_choice_missing_from_the_readme_is_reported() -> None:
    text = README.read_text(encoding="utf-8")
    changed = text.replace("[--mode strict|tolerant]", "[--mode strict]", 1)
    assert changed != text
    assert "interopcheck check --mode: README.md does not list tolerant" in problems(changed)


def test_an_option_without_help_or_a_command_without_description_is_reported() -> None:
    parser = build_parser()
    tree = dict(_commands(parser))
    tree[("check",)].add_argument("--brand-new", metavar="X")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub.add_parser("undocumented")
    found = problems(README.read_text(encoding="utf-8"), parser)
    assert "interopcheck check --brand-new: no help text" in found
    assert "interopcheck check --brand-new: not in README.md's synopsis" in found
    assert "interopcheck undocumented: no description" in found
    assert "interopcheck undocumented: no synopsis in README.md" in found


def test_the_microversion_keywords_of_check_are_documented() -> None:
    synopsis = synopses(README.read_text(encoding="utf-8"), {("check",)})[("check",)]
    value = re.search(r"--microversions ([^\]\s]+)", synopsis)
    assert value is not None
    assert {"sample", "all", "latest"} <= set(value.group(1).split("|"))


LINT_FORMATS = sorted(next(a for a in dict(_commands(build_parser()))[("lint",)]._actions
                           if "--format" in a.option_strings).choices or ())


@pytest.mark.parametrize("fmt", LINT_FORMATS)
def test_lint_baseline_takes_every_format_lint_offers(fmt: str, tmp_path: Path) -> None:
    import io

    from interopcheck.cli import main

    spec = tmp_path / "api.yaml"
    spec.write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\n')
    out, err = io.StringIO(), io.StringIO()
    code = main(["lint", str(spec), "--baseline", str(spec), "--format", fmt],
                stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    assert out.getvalue() or fmt.startswith("github")  # no change: no annotation lines


def test_a_default_described_differently_is_reported() -> None:
    text = README.read_text(encoding="utf-8")
    changed = text.replace("[--timeout 30] [--concurrency 4]", "[--timeout 10] [--concurrency 4]",
                           1)
    assert changed != text
    assert "interopcheck diff --timeout: README.md says 10, the default is 30" in problems(changed)
