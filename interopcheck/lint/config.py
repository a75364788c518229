"""Lint configuration: rule switches and levels, inline suppressions, ignore files.

``.interopcheck.yaml`` (or ``--config FILE``)::

    rules:
      NAME003: off          # disable
      HTTP017: error        # re-level: error | warning | info
      RES004: {severity: info}
    only: [MV001, MV006]    # optional: run just these
    ignore-file: .interopcheck-ignore.yaml

Inline: ``x-interopcheck-ignore: [NAME004, TIME001]`` (or ``all``) on any node suppresses
those rules for findings at that node or below it.

Ignore file: a YAML list of ``{rule: ID|"*", file: GLOB, pointer: GLOB, reason: TEXT}``
(``file``/``pointer`` default to ``*``).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from interopcheck.errors import InteropcheckError
from interopcheck.findings import Severity
from interopcheck.rules.registry import REGISTRY, Violation

__all__ = ["DEFAULT_CONFIG", "ConfigError", "IgnoreEntry", "LintConfig", "is_suppressed",
           "load_config", "load_ignore_file"]

DEFAULT_CONFIG = ".interopcheck.yaml"
INLINE = "x-interopcheck-ignore"


class ConfigError(InteropcheckError):
    pass


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    rule: str = "*"
    file: str = "*"
    pointer: str = "*"
    reason: str = ""

    def matches(self, v: Violation) -> bool:
        file = v.location.file if v.location else ""
        return (self.rule in ("*", v.rule) and fnmatch.fnmatchcase(file, self.file)
                and fnmatch.fnmatchcase(v.pointer, self.pointer))


@dataclass(slots=True)
class LintConfig:
    disabled: set[str] = field(default_factory=set)
    severities: dict[str, Severity] = field(default_factory=dict)
    only: set[str] | None = None
    ignores: list[IgnoreEntry] = field(default_factory=list)

    def enabled(self) -> set[str]:
        ids = {r.id for r in REGISTRY} if self.only is None else set(self.only)
        return ids - self.disabled

    def wants(self, rule_id: str) -> bool:
        """Whether ``rule_id`` (a catalog rule or a ``breaking`` change rule) is switched on."""
        return (self.only is None or rule_id in self.only) and rule_id not in self.disabled


def _check_id(rule_id: str, origin: str) -> str:
    from interopcheck.lint.spec_diff import CHANGE_RULES  # the rules `breaking` files under

    if rule_id not in REGISTRY and rule_id not in CHANGE_RULES:
        raise ConfigError(f"{origin}: unknown rule {rule_id!r}")
    return rule_id


def load_ignore_file(path: str | os.PathLike[str]) -> list[IgnoreEntry]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"ignore file {path}: {exc}") from None
    if not isinstance(data, list):
        raise ConfigError(f"ignore file {path}: expected a list of entries")
    out = []
    for i, item in enumerate(data):
        if isinstance(item, str):
            item = {"rule": item}
        if not isinstance(item, dict) or set(item) - {"rule", "file", "pointer", "reason"}:
            raise ConfigError(f"ignore file {path}: entry {i} must be a mapping with rule, "
                              "file, pointer, reason")
        rule = str(item.get("rule", "*"))
        if rule != "*":
            _check_id(rule, f"ignore file {path} entry {i}")
        out.append(IgnoreEntry(rule, str(item.get("file", "*")), str(item.get("pointer", "*")),
                               str(item.get("reason", ""))))
    return out


def load_config(path: str | os.PathLike[str] | None, *, search: Path | None = None,
                ) -> LintConfig:
    """Read ``path``, or ``.interopcheck.yaml`` in ``search`` if present, else defaults."""
    cfg = LintConfig()
    if path is None and search is not None and (search / DEFAULT_CONFIG).is_file():
        path = search / DEFAULT_CONFIG
    if path is None:
        return cfg
    try:
        data: Any = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"config {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a mapping")
    unknown = set(data) - {"rules", "only", "ignore-file"}
    if unknown:
        raise ConfigError(f"config {path}: unknown keys {', '.join(sorted(unknown))}")
    for rule_id, setting in (data.get("rules") or {}).items():
        _check_id(str(rule_id), f"config {path}")
        if isinstance(setting, dict):
            setting = setting.get("severity", "on")
        if setting is False or str(setting).lower() == "off":
            cfg.disabled.add(str(rule_id))
        elif setting is True or str(setting).lower() == "on":
            continue
        else:
            try:
                cfg.severities[str(rule_id)] = Severity(str(setting).lower())
            except ValueError:
                raise ConfigError(f"config {path}: {rule_id}: severity must be off, error, "
                                  f"warning or info, not {setting!r}") from None
    if data.get("only") is not None:
        cfg.only = {_check_id(str(r), f"config {path}") for r in data["only"]}
    if data.get("ignore-file"):
        cfg.ignores.extend(load_ignore_file(Path(path).parent / str(data["ignore-file"])))
    return cfg


def is_suppressed(v: Violation) -> bool:
    """True if ``x-interopcheck-ignore`` on the node or an ancestor names this rule."""
    if v.source is None or not getattr(v.source, "has_inline_ignores", True):
        return False
    for value in v.source.ancestors(v.pointer):
        if isinstance(value, dict) and INLINE in value:
            names = value[INLINE]
            names = [names] if isinstance(names, str) else names
            if isinstance(names, list) and (v.rule in names or "all" in names):
                return True
    return False
