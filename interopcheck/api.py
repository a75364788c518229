"""Library entry points: a diff of two clouds and a check of one (by URL), a lint of a spec.

    report = diff_clouds("http://a:8780", "http://b:8780",
                         options=DiffOptions(microversions="1.0,1.39"))
    result = check_cloud("http://a:8780")

They do what ``interopcheck diff`` and ``interopcheck check`` do with their URLs and
tokens (a token given, else ``$INTEROPCHECK_TOKEN_A`` / ``_B`` / ``$INTEROPCHECK_TOKEN``,
else the profile's default), without the command line's printing: the result is returned
and can be rendered or written with :mod:`interopcheck.outputs`. The command line, the
demo and the pytest plugin build on the same stage functions
(:func:`interopcheck.diff.run_diff`, :func:`interopcheck.check.run.run_check`).
"""

from __future__ import annotations

import os
from pathlib import Path

from interopcheck.check.run import CheckOptions, CheckResult, run_check
from interopcheck.diff import DiffOptions, run_diff
from interopcheck.lint.config import LintConfig
from interopcheck.lint.engine import LintResult, lint
from interopcheck.profile.loader import load_profile
from interopcheck.profile.model import Profile
from interopcheck.report import Report
from interopcheck.runner.clouds import Cloud, resolve_token
from interopcheck.runner.run import Clouds, Progress

__all__ = ["check_cloud", "diff_clouds", "lint_spec"]


def _profile(profile: str | Path | Profile) -> Profile:
    return profile if isinstance(profile, Profile) else load_profile(profile)


def diff_clouds(url_a: str, url_b: str, *, profile: str | Path | Profile = "placement",
                options: DiffOptions | None = None, token_a: str | None = None,
                token_b: str | None = None, timeout: float = 30.0,
                progress: Progress | None = None) -> Report:
    """Run ``profile`` on cloud A and cloud B and compare them (the report; never raises
    for a cloud's behaviour: problems are in ``report.problems``)."""
    loaded = _profile(profile)
    default = loaded.auth.default_token
    clouds = Clouds(
        Cloud("A", url_a, resolve_token(token_a, "INTEROPCHECK_TOKEN_A", default),
              timeout=timeout, url_option="URL_A", token_option="token_a"),
        Cloud("B", url_b, resolve_token(token_b, "INTEROPCHECK_TOKEN_B", default),
              timeout=timeout, url_option="URL_B", token_option="token_b"))
    try:
        return run_diff(loaded, clouds, options or DiffOptions(), progress or
                        Progress(enabled=False))
    finally:
        for cloud in clouds.all():
            cloud.close()


def check_cloud(url: str, *, profile: str | Path | Profile = "placement",
                options: CheckOptions | None = None, token: str | None = None,
                timeout: float = 30.0) -> CheckResult:
    """Check one cloud against the API-SIG rule catalog (strict and tolerant mode)."""
    loaded = _profile(profile)
    cloud = Cloud("cloud", url, resolve_token(token, "INTEROPCHECK_TOKEN",
                                              loaded.auth.default_token),
                  timeout=timeout, url_option="URL", token_option="token")
    try:
        return run_check(loaded, cloud, options)
    finally:
        cloud.close()


def lint_spec(path: str | os.PathLike[str], config: LintConfig | None = None) -> LintResult:
    """Lint an OpenAPI 3.0/3.1 document (``interopcheck lint SPEC``) with ``config`` (the
    rules' levels, ``only``, ignores; default: every rule at its own level)."""
    return lint(path, config)
