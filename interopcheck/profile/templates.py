"""Template substitution inside one run of one scenario on one cloud.

Templates, substituted in urls, headers, bodies and raw data:

- ``$uuid(x)``: a fresh UUID for this run (the same ``x`` gives the same value within
  the run); ``$hex(x)``: the same UUID without dashes;
- ``$name(x)``: a unique name ``x-<12 hex>``;
- ``$rc(X)`` / ``$trait(X)``: a unique ``CUSTOM_X_<12 HEX>`` resource class / trait;
- ``$var(x)``: a value captured by an earlier step (``capture: {x: body.a.0.b}``);
- ``$ENV(NAME)``: the environment variable ``NAME``, only when the user allows it
  (``--allow-env NAME`` or ``$INTEROPCHECK_ALLOW_ENV="NAME,OTHER"``; a profile alone
  cannot read the environment: ``$ENV(AWS_SECRET_ACCESS_KEY)`` would go to a cloud).
  A missing or not allowed variable is an error; every value expanded is registered
  as a secret (:mod:`interopcheck.secrets`) and scrubbed from reports like a token.

A string that is exactly one template becomes the value with its JSON type (a
captured integer stays an integer). ``symbolise`` writes generated and captured
values back as their templates, so that the exchanges of two clouds (or of two
runs) compare equal where they only differ by generated values.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from interopcheck import secrets as registered_secrets
from interopcheck.errors import InteropcheckError

__all__ = [
    "TEMPLATE",
    "TEMPLATE_KINDS",
    "TemplateError",
    "Variables",
    "allow_env",
    "allowed_env",
    "extract",
]

#: Environment variables ``$ENV(...)`` may read, besides ``$INTEROPCHECK_ALLOW_ENV``.
ALLOW_ENV_VARIABLE = "INTEROPCHECK_ALLOW_ENV"
_allowed: set[str] = set()


def allow_env(names: Iterable[str]) -> None:
    """Let ``$ENV(NAME)`` read these variables (the command line's ``--allow-env``)."""
    _allowed.update(n.strip() for n in names if n and n.strip())


def allowed_env() -> frozenset[str]:
    """The variables ``$ENV`` may read: ``allow_env`` names and ``$INTEROPCHECK_ALLOW_ENV``."""
    extra = os.environ.get(ALLOW_ENV_VARIABLE, "")
    return frozenset(_allowed | {n.strip() for n in extra.split(",") if n.strip()})

TEMPLATE = re.compile(r"\$([A-Za-z]+)\(([A-Za-z0-9_.-]*)\)")
TEMPLATE_KINDS = ("uuid", "hex", "name", "rc", "trait", "var", "ENV")
#: Captured strings shorter than this are not symbolised (too likely to occur by chance).
_MIN_SYMBOL_LENGTH = 8


class TemplateError(InteropcheckError, LookupError):
    """A template that cannot be resolved (an unset environment variable)."""


def extract(expr: str, status: int, headers: Mapping[str, str], body: Any) -> Any:
    """The value of a capture expression: ``status``, ``body[.a.0.b]`` or ``header.NAME``."""
    if expr == "status":
        return status
    if expr.startswith("header."):
        return headers.get(expr[len("header."):].lower())
    value = body
    for part in expr.split(".")[1:]:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


class Variables:
    """Generated and captured values of one run; never shared between runs or clouds."""

    #: Whether :meth:`symbolise` writes captured values back as ``$var(name)`` too (a
    #: subclass may keep them, as the golden-exchange recordings do).
    SYMBOLISE_CAPTURED: ClassVar[bool] = True

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        """``environ``: the variables ``$ENV`` may read (all of them); by default the
        process environment, limited to :func:`allowed_env`."""
        self.generated: dict[str, str] = {}
        self.captured: dict[str, Any] = {}
        self._environ = os.environ if environ is None else environ
        self._limited = environ is None
        self._symbols: tuple[re.Pattern[str] | None, dict[str, str]] | None = None

    # -- values -------------------------------------------------------------------------------

    def _generate(self, kind: str, key: str) -> str:
        symbol = f"${kind}({key})"
        if symbol not in self.generated:
            if kind in ("uuid", "hex"):
                value = str(uuid.uuid4())
                self.generated[f"$uuid({key})"] = value
                self.generated[f"$hex({key})"] = value.replace("-", "")
            elif kind == "name":
                self.generated[symbol] = f"{key}-{secrets.token_hex(6)}"
            else:  # rc / trait
                upper = re.sub(r"[^A-Z0-9_]", "_", key.upper())
                self.generated[symbol] = f"CUSTOM_{upper}_{secrets.token_hex(6).upper()}"
            self._symbols = None
        return self.generated[symbol]

    def value(self, kind: str, key: str) -> Any:
        if kind == "var":
            return self.captured.get(key, f"<uncaptured {key}>")
        if kind == "ENV":
            if self._limited and key not in allowed_env():
                raise TemplateError(
                    f"$ENV({key}): the profile may not read the environment variable {key}; "
                    f"allow it with --allow-env {key} (or ${ALLOW_ENV_VARIABLE}={key})")
            if key not in self._environ:
                raise TemplateError(f"$ENV({key}): the environment variable {key} is not set")
            value = self._environ[key]
            registered_secrets.register(value)
            return value
        if kind in ("uuid", "hex", "name", "rc", "trait"):
            return self._generate(kind, key)
        raise TemplateError(f"unknown template ${kind}({key})")

    def capture(self, name: str, value: Any) -> None:
        """Remember a captured value (``None`` keeps any earlier value)."""
        if value is not None:
            self.captured[name] = value
            # The symbol table (a compiled alternation) only changes when a new string long
            # enough to be symbolised arrives; most captures are generations or values
            # generated here already, and recompiling per call was a visible client cost.
            if self._symbols is not None and isinstance(value, str) \
                    and len(value) >= _MIN_SYMBOL_LENGTH and value not in self._symbols[1]:
                self._symbols = None

    # -- substitution -------------------------------------------------------------------------

    def substitute(self, value: Any) -> Any:
        """Replace templates in strings, recursively in lists and dicts (keys too)."""
        if isinstance(value, str):
            if "$" not in value:
                return value
            whole = TEMPLATE.fullmatch(value)
            if whole:
                return self.value(whole.group(1), whole.group(2))
            return TEMPLATE.sub(lambda m: str(self.value(m.group(1), m.group(2))), value)
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        if isinstance(value, dict):
            return {str(self.substitute(k)): self.substitute(v) for k, v in value.items()}
        return value

    # -- symbolisation ------------------------------------------------------------------------

    def _symbol_table(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        if self._symbols is None:
            table: dict[str, str] = {}
            for name, value in (self.captured.items() if self.SYMBOLISE_CAPTURED else ()):
                if isinstance(value, str) and len(value) >= _MIN_SYMBOL_LENGTH:
                    table.setdefault(value, f"$var({name})")
            for symbol, value in self.generated.items():
                table[value] = symbol
            values = sorted(table, key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(v) for v in values)) if values else None
            self._symbols = (pattern, table)
        return self._symbols

    def symbolise(self, value: Any) -> Any:
        """Write generated and captured values back as their templates."""
        pattern, table = self._symbol_table()
        if pattern is None:
            return value
        return _symbolise(value, pattern, table)


def _symbolise(value: Any, pattern: re.Pattern[str], table: dict[str, str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: table[m.group(0)], value)
    if isinstance(value, list):
        return [_symbolise(v, pattern, table) for v in value]
    if isinstance(value, dict):
        return {_symbolise(k, pattern, table): _symbolise(v, pattern, table)
                for k, v in value.items()}
    return value
