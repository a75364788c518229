"""Safe YAML -> :class:`~interopcheck.profile.model.Profile`, with clear errors.

Loading happens in two passes. The document is first checked against the JSON
Schema ``interopcheck/schemas/profile.schema.json``. Then the rules a schema
cannot express are checked: one method per step, ``body`` or ``data`` but not
both, ``$var(x)`` only after a step that captures ``x``, unique scenario and
call names. Every problem becomes one line ``FILE: WHERE: WHAT``, where WHERE
names the scenario, the section and step, and the key. All such lines are
raised together as one :class:`ProfileError`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

from interopcheck.errors import InteropcheckError
from interopcheck.microversion import VersionError, VersionSet, parse, parse_versions
from interopcheck.profile.model import (
    UNSET,
    Auth,
    Discovery,
    IgnoreRule,
    MicroversionMode,
    Poll,
    Profile,
    Scenario,
    Section,
    Step,
)
from interopcheck.profile.templates import TEMPLATE, TEMPLATE_KINDS

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "METHODS",
    "PROFILE_DIRS_ENV",
    "ProfileError",
    "find_profile",
    "load_profile",
    "parse_ignore",
    "profile_from_document",
    "schema",
]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PROFILE_DIRS_ENV = "INTEROPCHECK_PROFILES"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "profile.schema.json"
#: libyaml's safe loader when PyYAML has it (several times faster on the big profiles).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Where ``--profile NAME`` is looked up after $INTEROPCHECK_PROFILES: the bundled profiles,
#: package data of ``interopcheck`` (``interopcheck/profiles``, the checkout's ``profiles/``),
#: read with importlib.resources wherever the package is installed (--user, --target, a venv).
BUILTIN_DIRS: tuple[Traversable, ...] = (resources.files("interopcheck") / "profiles",)

_PATTERN_HINTS = {
    "version": 'a quoted version such as "1.20"',
    "range": 'a range such as "1.14-", "-1.5", "1.2-1.6" or "1.20"',
    "capture_expr": "body, body.<key>.<index>..., header.<name> or status",
    "name": "lower-case letters, digits, '.', '_' and '-'",
    "ignore_rule": "a JSONPath ($...), a JSON Pointer (/...), 'status' or 'header:NAME'",
}
_VERSION_KEYS = frozenset({"microversion", "versions", "microversions"})


class ProfileError(InteropcheckError, ValueError):
    """A profile that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@cache
def schema() -> dict[str, Any]:
    """The profile JSON Schema."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def find_profile(name: str) -> Path:
    """A profile file from a path, or a name looked up in $INTEROPCHECK_PROFILES and profiles/."""
    candidate = Path(name)
    if candidate.suffix in (".yaml", ".yml") or os.sep in name or "/" in name:
        if candidate.is_file():
            return candidate
        raise ProfileError([f"{name}: no such profile file"])
    dirs: list[Traversable] = [Path(d) for d in os.environ.get(PROFILE_DIRS_ENV, "").split(
        os.pathsep) if d]
    dirs.extend(BUILTIN_DIRS)
    for directory in dirs:
        for suffix in (".yaml", ".yml"):
            path = directory / f"{name}{suffix}"
            if path.is_file():
                return Path(str(path))
    searched = ", ".join(str(d) for d in dirs)
    raise ProfileError([f"profile {name!r} not found (looked in {searched}; give a file path or "
                        f"set {PROFILE_DIRS_ENV})"])


def load_profile(name_or_path: str | Path) -> Profile:
    """Find, read, validate and build a profile."""
    path = find_profile(str(name_or_path))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    try:
        document = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProfileError([f"{path}: {where}: not valid YAML: {problem}"]) from None
    return profile_from_document(document, path)


# ---- schema errors -> readable lines -----------------------------------------------------


def _step_label(raw: Any) -> str:
    if not isinstance(raw, dict):
        return ""
    if isinstance(raw.get("name"), str):
        return f" {raw['name']!r}"
    for method in METHODS:
        if method in raw:
            return f" ({method} {raw[method]})"
    return ""


def _where(document: Any, path: Iterable[Any]) -> str:
    parts = list(path)
    if not parts:
        return "top level"
    if parts[0] != "scenarios" or len(parts) < 2 or not isinstance(parts[1], int):
        return ".".join(str(p) for p in parts)
    scenarios = document.get("scenarios") if isinstance(document, dict) else None
    raw = scenarios[parts[1]] if isinstance(scenarios, list) and parts[1] < len(scenarios) else {}
    name = raw.get("name") if isinstance(raw, dict) else None
    where = f"scenario {name!r}" if isinstance(name, str) else f"scenarios[{parts[1]}]"
    rest = parts[2:]
    if len(rest) >= 2 and rest[0] in ("setup", "calls", "teardown") and isinstance(rest[1], int):
        steps = raw.get(rest[0]) if isinstance(raw, dict) else None
        step = steps[rest[1]] if isinstance(steps, list) and rest[1] < len(steps) else None
        where += f" {rest[0]}[{rest[1]}]{_step_label(step)}"
        rest = rest[2:]
    if rest:
        where += " key " + ".".join(str(p) for p in rest)
    return where


def _def_name(error: jsonschema.ValidationError) -> str | None:
    for name, definition in schema()["$defs"].items():
        if error.schema == definition:
            return str(name)
    return None


def _describe(error: jsonschema.ValidationError) -> str:
    key = error.absolute_path[-1] if error.absolute_path else None
    if error.validator == "additionalProperties":
        patterns = list(error.schema.get("patternProperties", {}))
        extra = sorted(k for k in error.instance if k not in error.schema.get("properties", {})
                       and not any(re.search(p, k) for p in patterns))
        allowed = sorted(error.schema.get("properties", {}))
        if "patternProperties" in error.schema:
            allowed.append("METHOD")
        return f"unknown key {', '.join(repr(e) for e in extra)} (allowed: {', '.join(allowed)})"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing")
    if key in _VERSION_KEYS and isinstance(error.instance, int | float):
        return (f"{error.instance!r} is a number: quote versions (YAML reads 1.20 as 1.2), "
                f'e.g. {key}: "1.20"')
    hint = _PATTERN_HINTS.get(_def_name(error) or "")
    if error.validator in ("pattern", "oneOf", "const", "enum") and hint:
        return f"{error.instance!r} is not valid: expected {hint}"
    if error.validator == "oneOf" and key == "microversion":
        return f'{error.instance!r} is not valid: expected a quoted version, "latest" or null'
    if error.validator == "type":
        return f"{error.instance!r} is not of type {error.validator_value!r}"
    return error.message


def _schema_problems(document: Any, source: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema())
    lines: list[str] = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        line = f"{source}: {_where(document, error.absolute_path)}: {_describe(error)}"
        if line not in lines:
            lines.append(line)
    return lines


# ---- building the model -------------------------------------------------------------------


def parse_ignore(raw: Any, origin: str = "") -> IgnoreRule:
    """An ignore entry: a shorthand string or a mapping (see the profile format)."""
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower().startswith("header:"):
            return IgnoreRule(header=text[len("header:"):].strip().lower(), origin=origin)
        if text.startswith(("$", "/")) or text == "status":
            return IgnoreRule(path=text, origin=origin)
        raise ValueError(f"ignore {raw!r}: expected a JSONPath ($...), a JSON Pointer (/...), "
                         "'status' or 'header:NAME'")
    if not isinstance(raw, Mapping):
        raise ValueError(f"ignore {raw!r}: expected a string or a mapping")
    if ("path" in raw) == ("header" in raw):
        raise ValueError("an ignore mapping needs exactly one of 'path' and 'header'")
    return IgnoreRule(
        path=raw.get("path"),
        header=str(raw["header"]).lower() if raw.get("header") is not None else None,
        kind=raw.get("kind"),
        scenario=raw.get("scenario"),
        call=raw.get("call"),
        microversions=parse_versions(raw.get("microversions")),
        reason=str(raw.get("reason", "")),
        origin=origin,
    )


def _templates(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        for match in TEMPLATE.finditer(value):
            yield match.group(1), match.group(2)
    elif isinstance(value, list):
        for item in value:
            yield from _templates(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _templates(k)
            yield from _templates(v)


class _Builder:
    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document = document
        self.source = source
        self.problems: list[str] = []

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{self.source}: {where}: {what}")

    def step(self, raw: dict[str, Any], section: Section, index: int, where: str,
             scenario_range: VersionSet) -> Step | None:
        raw = dict(raw)
        shortcuts = [k for k in raw if k in METHODS]
        if len(shortcuts) > 1 or (shortcuts and ("method" in raw or "url" in raw)):
            self.fail(where, "give one 'METHOD: url' or 'method' + 'url', not both or several")
            return None
        if shortcuts:
            method, url = shortcuts[0], raw.pop(shortcuts[0])
        else:
            method, url = raw.pop("method", None), raw.pop("url", None)
            if method is None or url is None:
                self.fail(where, "missing the request: give 'METHOD: url' (e.g. 'GET: /path')")
                return None
        if "body" in raw and "data" in raw:
            self.fail(where, "give 'body' (JSON) or 'data' (raw text), not both")
        if "compare" in raw and section is not Section.CALLS:
            self.fail(where + " key compare", f"only calls are compared; {section.value} "
                      "steps never are")
        for kind, _arg in _templates([url, raw.get("headers"), raw.get("body"), raw.get("data")]):
            if kind not in TEMPLATE_KINDS:
                self.fail(where, f"unknown template ${kind}(...) (known: "
                          f"{', '.join('$' + k for k in TEMPLATE_KINDS)})")
        try:
            versions = parse_versions(raw.get("versions"))
        except VersionError as exc:
            self.fail(where + " key versions", str(exc))
            return None
        if not _overlaps(versions, scenario_range):
            self.fail(where + " key versions", f"{versions} never overlaps the scenario's "
                      f"versions {scenario_range}: the step would never run")
        mv_mode, mv_fixed = MicroversionMode.SWEEP, None
        if "microversion" in raw:
            mv = raw["microversion"]
            if mv is None:
                mv_mode = MicroversionMode.NONE
            elif mv == "latest":
                mv_mode = MicroversionMode.LATEST
            else:
                mv_mode, mv_fixed = MicroversionMode.FIXED, parse(mv)
        status = raw.get("status", ())
        statuses = (status,) if isinstance(status, int) else tuple(status)
        name = raw.get("name") or f"{method} {url}"
        ignores: list[IgnoreRule] = []
        for item in raw.get("ignore", ()):
            try:
                ignores.append(parse_ignore(item, origin=where))
            except ValueError as exc:
                self.fail(where + " key ignore", str(exc))
        return Step(
            name=str(name),
            section=section,
            index=index,
            method=str(method).upper(),
            url=str(url),
            versions=versions,
            mv_mode=mv_mode,
            mv_fixed=mv_fixed,
            headers={str(k).lower(): (None if v is None else str(v))
                     for k, v in (raw.get("headers") or {}).items()},
            body=raw.get("body", UNSET),
            data=raw.get("data"),
            auth=bool(raw.get("auth", True)),
            capture=dict(raw.get("capture") or {}),
            status=statuses,
            compare=bool(raw.get("compare", True)),
            timeout=raw.get("timeout"),
            ignore=tuple(ignores),
            poll=_poll(raw.get("poll")),
        )

    def scenario(self, raw: dict[str, Any], index: int) -> Scenario | None:
        name = raw["name"]
        where = f"scenario {name!r}"
        try:
            versions = parse_versions(raw.get("versions"))
        except VersionError as exc:
            self.fail(where + " key versions", str(exc))
            return None
        sections: dict[Section, list[Step]] = {}
        captured: set[str] = set()
        call_names: dict[str, list[VersionSet]] = {}
        ok = True
        for section in Section:
            steps: list[Step] = []
            for i, raw_step in enumerate(raw.get(section.value) or []):
                step_where = f"{where} {section.value}[{i}]{_step_label(raw_step)}"
                step = self.step(raw_step, section, i, step_where, versions)
                if step is None:
                    ok = False
                    continue
                for kind, arg in _templates([step.url, dict(step.headers), step.body, step.data]):
                    if kind == "var" and arg not in captured:
                        self.fail(step_where, f"uses $var({arg}) but no earlier step captures "
                                  f"{arg!r}")
                captured.update(step.capture)
                if section is Section.CALLS:
                    step = self._unique_name(step, raw_step, call_names, step_where)
                steps.append(step)
            sections[section] = steps
        if not ok:
            return None
        ignores: list[IgnoreRule] = []
        for item in raw.get("ignore", ()):
            try:
                ignores.append(parse_ignore(item, origin=where))
            except ValueError as exc:
                self.fail(where + " key ignore", str(exc))
        return Scenario(
            name=name,
            description=str(raw.get("description", "")).strip(),
            versions=versions,
            setup=tuple(sections[Section.SETUP]),
            calls=tuple(sections[Section.CALLS]),
            teardown=tuple(sections[Section.TEARDOWN]),
            concurrent=bool(raw.get("concurrent", True)),
            ignore=tuple(ignores),
        )

    def _unique_name(self, step: Step, raw: dict[str, Any], seen: dict[str, list[VersionSet]],
                     where: str) -> Step:
        name = step.name
        if any(_overlaps(step.versions, r) for r in seen.get(name, [])):
            if isinstance(raw.get("name"), str):
                self.fail(where + " key name", f"another call is already named {name!r} at "
                          "overlapping versions; names identify calls in findings and baselines")
            n = 2
            while any(_overlaps(step.versions, r) for r in seen.get(f"{name} #{n}", [])):
                n += 1
            name = f"{name} #{n}"
            step = _replace_name(step, name)
        seen.setdefault(name, []).append(step.versions)
        return step

    def build(self, path: Path) -> Profile:
        doc = self.document
        service = doc["service"]
        auth_raw = doc.get("auth") or {}
        disc_raw = dict(doc["discovery"])
        shortcut = [k for k in disc_raw if k in METHODS]
        if len(shortcut) == 1 and "method" not in disc_raw and "url" not in disc_raw:
            method, url = shortcut[0], disc_raw[shortcut[0]]
        elif not shortcut and "url" in disc_raw:
            method, url = disc_raw.get("method", "GET"), disc_raw["url"]
        else:
            self.fail("discovery", "give one 'METHOD: url' (e.g. 'GET: /')")
            method, url = "GET", "/"
        discovery = Discovery(method=method, url=url, min_version=disc_raw["min_version"],
                              max_version=disc_raw["max_version"],
                              auth=bool(disc_raw.get("auth", False)))
        scenarios: list[Scenario] = []
        names: set[str] = set()
        for i, raw in enumerate(doc["scenarios"]):
            if raw["name"] in names:
                self.fail(f"scenario {raw['name']!r}", "another scenario has this name")
            names.add(raw["name"])
            scenario = self.scenario(raw, i)
            if scenario is not None:
                scenarios.append(scenario)
        ignores: list[IgnoreRule] = []
        for item in doc.get("ignore", ()):
            try:
                ignores.append(parse_ignore(item, origin="profile"))
            except ValueError as exc:
                self.fail("ignore", str(exc))
        if self.problems:
            raise ProfileError(self.problems)
        return Profile(
            name=doc["profile"],
            path=path,
            description=str(doc.get("description", "")).strip(),
            service_type=service["type"],
            version_header=service["version_header"],
            discovery=discovery,
            auth=Auth(header=auth_raw.get("header", "X-Auth-Token"),
                      default_token=auth_raw.get("default_token")),
            headers={str(k).lower(): str(v)
                     for k, v in ((doc.get("defaults") or {}).get("headers") or {}).items()
                     if v is not None},
            ignore=tuple(ignores),
            ignore_headers=frozenset(h.lower() for h in doc.get("ignore_headers", ())),
            scenarios=tuple(scenarios),
        )


def _poll(raw: Any) -> Poll | None:
    if not raw:
        return None
    return Poll(until=str(raw["until"]), values=tuple(raw["in"]),
                timeout=float(raw.get("timeout", 30.0)), interval=float(raw.get("interval", 0.2)))


def _overlaps(a: VersionSet, b: VersionSet) -> bool:
    return a.overlaps(b)


def _replace_name(step: Step, name: str) -> Step:
    from dataclasses import replace

    return replace(step, name=name)


def profile_from_document(document: Any, path: Path | str = "<profile>") -> Profile:
    """Validate a loaded YAML document and build the profile (raises ProfileError)."""
    path = Path(path)
    source = str(path)
    problems = _schema_problems(document, source)
    if problems:
        raise ProfileError(problems)
    return _Builder(document, source).build(path)
