"""``interopcheck.__all__``: the curated public API, pinned; cheap to import."""

from __future__ import annotations

import subprocess
import sys

import interopcheck

PUBLIC = [
    "AnyFinding", "CheckOptions", "CheckResult", "DiffOptions", "Finding", "InteropcheckError",
    "LintConfig", "LintResult", "Profile", "Report", "Severity", "check_cloud", "diff_clouds",
    "lint_spec", "load_ignores", "load_profile", "render", "write_reports",
]


def test_all_is_pinned_and_sorted() -> None:
    assert interopcheck.__all__ == PUBLIC == sorted(PUBLIC)


def test_every_public_name_resolves_to_the_stage_that_owns_it() -> None:
    from interopcheck.errors import InteropcheckError
    from interopcheck.outputs import write_reports

    for name in PUBLIC:
        assert getattr(interopcheck, name) is not None, name
    assert interopcheck.InteropcheckError is InteropcheckError
    assert interopcheck.write_reports is write_reports


def test_every_deliberate_error_is_an_interopcheck_error() -> None:
    from interopcheck.baseline import BaselineError
    from interopcheck.launcher import RefcloudStartError
    from interopcheck.lint.loader import LoadError
    from interopcheck.microversion import VersionError
    from interopcheck.profile.loader import ProfileError
    from interopcheck.profile.templates import TemplateError

    for error in (BaselineError, LoadError, ProfileError, RefcloudStartError, TemplateError,
                  VersionError, interopcheck.outputs.UsageError):
        assert issubclass(error, interopcheck.InteropcheckError), error
    try:
        interopcheck.load_profile("no-such-profile")
    except interopcheck.InteropcheckError as exc:
        assert "not found" in str(exc)
    else:
        raise AssertionError("an unknown profile must be refused")


def test_importing_the_package_imports_no_stage() -> None:
    code = ("import sys, interopcheck; "
            "print(sorted(m for m in sys.modules if m.startswith('interopcheck.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_every_exception_class_of_the_package_derives_from_the_base() -> None:
    import importlib
    import inspect
    import pkgutil

    found = []
    for info in pkgutil.walk_packages(interopcheck.__path__, "interopcheck."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError:  # an optional extra that is not installed
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and issubclass(cls, Exception) \
                    and not cls.__name__.startswith("_"):  # private control-flow signals
                found.append(cls)
    assert len(found) >= 10
    stray = [f"{c.__module__}.{c.__qualname__}" for c in found
             if not issubclass(c, interopcheck.InteropcheckError)]
    assert stray == []
