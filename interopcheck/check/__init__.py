"""``interopcheck check``: the API-SIG guideline rules on one live cloud's answers.

:func:`run_check` runs the profile's calls (through the diff runner) and the
microversion negotiation probes against one cloud, evaluates the rule catalog's live
rules (:mod:`interopcheck.rules`) on every answer, and judges the result in strict and
tolerant mode (:mod:`interopcheck.check.tolerance`).
"""

from __future__ import annotations

from interopcheck.check.run import MODES, CheckFinding, CheckOptions, CheckResult, run_check

__all__ = ["MODES", "CheckFinding", "CheckOptions", "CheckResult", "run_check"]
