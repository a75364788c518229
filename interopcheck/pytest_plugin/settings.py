"""The plugin's command-line options, read and checked once (at ``pytest_configure``).

Every option except the tokens is also an ini option of the same name without the dashes
(``[tool.pytest.ini_options] interop_a = "http://..."``, ``interop_scenario = ["root"]``); the
command line wins over the ini file, which wins over the built-in default. Tokens are
options or environment variables only: they do not belong in a file under version control.

Everything here is cheap: no profile is read and nothing is contacted. A problem with an
option is a :class:`pytest.UsageError` (one line, exit status 4) before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from interopcheck.causes import DEFAULT_FAIL_ON, parse_fail_on
from interopcheck.microversion import Version, VersionError, parse_range

if TYPE_CHECKING:
    from interopcheck.pytest_plugin.state import InteropState

__all__ = ["CHECK_MODES", "NOISE_MODES", "STATE_KEY", "Settings", "add_options",
           "normalise_spec", "read"]

#: Where the process's :class:`~interopcheck.pytest_plugin.state.InteropState` lives.
STATE_KEY: pytest.StashKey[InteropState] = pytest.StashKey()

NOISE_MODES = ("confirm", "always", "off")
CHECK_MODES = ("strict", "tolerant")
#: Words ``--interop-microversions`` takes besides versions and ranges.
_WORDS = ("all", "latest-common", "latest")
#: Built-in defaults (applied after the command line and the ini file).
_DEFAULTS: dict[str, Any] = {"interop_profile": "placement", "interop_noise": "confirm",
                             "interop_timeout": 30.0, "interop_check_mode": "strict"}
#: Ini types of the options that are not plain strings.
_INI_TYPES = {"interop_scenario": "linelist", "interop_ignore": "linelist",
              "interop_fixtures_only": "bool"}
#: Options that are never read from an ini file.
_NOT_INI = frozenset({"interop_token_a", "interop_token_b", "interop_token"})


def add_options(parser: pytest.Parser) -> None:
    """Register ``--interop-*`` (the plugin does nothing unless a URL option is given)."""
    group = parser.getgroup(
        "interopcheck", "interopcheck: interop diffs and API-SIG guideline checks as tests "
        "(active only with --interop-a/--interop-b or --interop-cloud)")

    def add(flag: str, **kwargs: Any) -> None:
        name = flag.lstrip("-").replace("-", "_")
        if name in _DEFAULTS:
            kwargs["default"] = None  # the ini file may still give a value
        group.addoption(flag, **kwargs)
        if name not in _NOT_INI:
            parser.addini(name, f"{flag}: {kwargs.get('help', '')}",
                          type=_INI_TYPES.get(name, "string"))  # type: ignore[arg-type]

    add("--interop-a", metavar="URL", help="cloud A, the reference (service root URL)")
    add("--interop-b", metavar="URL", help="cloud B, compared with A at each microversion")
    add("--interop-cloud", metavar="URL",
        help="one cloud to check against the API-SIG guidelines (guideline items)")
    add("--interop-os-cloud-a", metavar="NAME",
        help="cloud A from clouds.yaml (Keystone auth, the catalog's endpoint; instead of "
             "--interop-a)")
    add("--interop-os-cloud-b", metavar="NAME", help="cloud B from clouds.yaml")
    add("--interop-os-cloud", metavar="NAME",
        help="the cloud to check, from clouds.yaml (instead of --interop-cloud)")
    add("--interop-token-a", metavar="TOKEN",
        help="token for A (default: $INTEROPCHECK_TOKEN_A, then the profile's default; prefer "
             "the environment variable in CI)")
    add("--interop-token-b", metavar="TOKEN",
        help="token for B (default: $INTEROPCHECK_TOKEN_B, then the profile's default)")
    add("--interop-token", metavar="TOKEN",
        help="token for --interop-cloud (default: $INTEROPCHECK_TOKEN, then the profile's "
             "default)")
    add("--interop-profile", default="placement", metavar="NAME|FILE",
        help="profile name (bundled profiles, $INTEROPCHECK_PROFILES) or YAML file "
             "(default: placement)")
    add("--interop-microversions", metavar="SPEC",
        help="all, latest-common, a list 1.2,1.14, a range 1.10-1.20, or a mix such as "
             "1.0,1.20,latest-common (default: all for diffs; for guideline checks each "
             "scenario's lowest and highest version, 'sample')")
    add("--interop-scenario", action="append", default=[], metavar="GLOB",
        help="collect only scenarios whose name matches (repeatable; -k also selects)")
    add("--interop-baseline", metavar="FILE",
        help="accepted differences (interopcheck diff --write-baseline): they do not fail")
    add("--interop-ignore", action="append", default=[], metavar="EXPR",
        help="drop differences at a JSONPath, JSON Pointer, 'status' or 'header:NAME' "
             "(repeatable)")
    add("--interop-ignore-file", metavar="FILE", help="YAML list of ignore rules")
    add("--interop-noise", choices=NOISE_MODES, default="confirm",
        help="confirm (default): re-run a differing scenario and drop what varies; always; off")
    add("--interop-timeout", type=float, default=30.0, metavar="SECONDS",
        help="per-call timeout (default 30)")
    add("--interop-report", metavar="DIR",
        help="write report.{txt,json,md,html,xml} (the diff) and guidelines.{txt,json} (the "
             "checks) into DIR, merged over xdist workers")
    add("--interop-fixtures-only", action="store_true",
        help="collect no profile items: the clouds are for the interop_clients fixture only")
    add("--interop-fail-on", metavar="WHAT",
        help="what fails a diff item, comma-separated: breaks-clients, needs-version-bump, "
             "deployment, text, info, any, never (default: breaks-clients,needs-version-bump, "
             "as interopcheck diff --fail-on)")
    add("--interop-check-mode", choices=CHECK_MODES, default="strict",
        help="guideline items fail in strict mode (the guideline text, default) or tolerant "
             "mode (known departures of microversion-parse based services accepted)")


@dataclass(frozen=True)
class Settings:
    """The options, checked. Tokens are not held here (see ``state.InteropState``)."""

    url_a: str | None
    url_b: str | None
    url_cloud: str | None
    profile: str
    microversions: str | None
    scenarios: tuple[str, ...]
    baseline: str | None
    ignores: tuple[str, ...]
    ignore_file: str | None
    noise: str
    timeout: float
    report_dir: str | None
    check_mode: str
    fixtures_only: bool = False
    #: Clouds of clouds.yaml (--interop-os-cloud-a/-b/--interop-os-cloud), resolved later.
    os_cloud_a: str | None = None
    os_cloud_b: str | None = None
    os_cloud: str | None = None
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON

    @property
    def diff(self) -> bool:
        return bool((self.url_a or self.os_cloud_a) and (self.url_b or self.os_cloud_b))

    @property
    def guideline(self) -> bool:
        return bool(self.url_cloud or self.os_cloud)


def _url(option: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    if not text.startswith(("http://", "https://")):
        from interopcheck.snapshot.cli import is_snapshot

        if option in ("--interop-a", "--interop-b") and is_snapshot(text):  # a recorded cloud
            return text
        raise pytest.UsageError(f"{option}: {text!r} is not an http:// or https:// URL")
    return text


def check_spec(spec: str, option: str = "--interop-microversions") -> None:
    """Raise a usage error when ``spec`` is not a version selection."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise pytest.UsageError(f"{option}: empty")
    if parts == ["sample"]:
        return
    for part in parts:
        if part in _WORDS:
            continue
        try:
            parse_range(part)
        except VersionError as exc:
            raise pytest.UsageError(
                f"{option}: {exc} (give all, latest-common, a list such as 1.2,1.14, a range "
                "such as 1.10-1.20, or a mix such as 1.0,1.20,latest-common)") from None


def normalise_spec(spec: str, low: Version, high: Version) -> str:
    """``spec`` with ``latest-common``/``latest`` as the version and ``all`` as the range.

    The result is what :func:`interopcheck.microversion.select` takes (a bare ``all`` and
    ``sample`` are kept as they are).
    """
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if len(parts) <= 1 and (not parts or parts[0] in ("all", "sample")):
        return parts[0] if parts else "all"
    out = []
    for part in parts:
        if part in ("latest-common", "latest"):
            out.append(str(high))
        elif part == "all":
            out.append(f"{low}-{high}")
        else:
            out.append(part)
    return ",".join(out)


def _option(config: pytest.Config, name: str) -> Any:
    """The command line's value, else the ini file's, else the built-in default."""
    value = config.getoption(name)
    if value not in (None, [], False) or name in _NOT_INI:
        return value
    ini = config.getini(name)
    if ini not in (None, "", []):
        return ini
    return _DEFAULTS.get(name, value)


def _choice(config: pytest.Config, name: str, choices: tuple[str, ...]) -> str:
    value = str(_option(config, name))
    if value not in choices:  # argparse checks the command line; this is the ini file
        raise pytest.UsageError(f"{name} = {value!r}: choose one of {', '.join(choices)}")
    return value


def read(config: pytest.Config) -> Settings | None:
    """The checked options, or None when the plugin is not asked to do anything."""

    def get(name: str) -> Any:
        return _option(config, name)

    url_a = _url("--interop-a", get("interop_a"))
    url_b = _url("--interop-b", get("interop_b"))
    url_cloud = _url("--interop-cloud", get("interop_cloud"))
    names = {k: str(get(k)) if get(k) else None
             for k in ("interop_os_cloud_a", "interop_os_cloud_b", "interop_os_cloud")}
    side_a = url_a or names["interop_os_cloud_a"]
    side_b = url_b or names["interop_os_cloud_b"]
    if not (side_a or side_b or url_cloud or names["interop_os_cloud"]):
        return None
    if bool(side_a) != bool(side_b):
        given, missing = ("--interop-a", "--interop-b") if side_a else ("--interop-b",
                                                                        "--interop-a")
        raise pytest.UsageError(f"{given} needs {missing} too (or give one cloud to check "
                                "with --interop-cloud)")
    spec = get("interop_microversions")
    if spec is not None:
        check_spec(spec)
        if spec.strip() == "sample" and side_a:
            raise pytest.UsageError("--interop-microversions: 'sample' is for guideline checks "
                                    "only; diffs take all, latest-common, lists and ranges")
    try:
        timeout = float(get("interop_timeout"))
    except ValueError:
        raise pytest.UsageError("--interop-timeout must be a positive number of seconds") from None
    if timeout <= 0:
        raise pytest.UsageError("--interop-timeout must be a positive number of seconds")
    return Settings(
        url_a=url_a, url_b=url_b, url_cloud=url_cloud,
        profile=str(get("interop_profile")),
        microversions=spec,
        scenarios=tuple(get("interop_scenario") or ()),
        baseline=get("interop_baseline"),
        ignores=tuple(get("interop_ignore") or ()),
        ignore_file=get("interop_ignore_file"),
        noise=_choice(config, "interop_noise", NOISE_MODES),
        timeout=timeout,
        report_dir=get("interop_report"),
        check_mode=_choice(config, "interop_check_mode", CHECK_MODES),
        fixtures_only=bool(get("interop_fixtures_only")),
        fail_on=_fail_on(get("interop_fail_on")),
        os_cloud_a=names["interop_os_cloud_a"], os_cloud_b=names["interop_os_cloud_b"],
        os_cloud=names["interop_os_cloud"],
    )


def _fail_on(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return DEFAULT_FAIL_ON
    try:
        return parse_fail_on(str(value))
    except ValueError as exc:
        raise pytest.UsageError(f"--interop-fail-on: {exc}") from None
