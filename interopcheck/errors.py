"""The one exception hierarchy: every error interopcheck raises on purpose is an
:class:`InteropcheckError`, whose ``str()`` is the one line to show (what, where, what to do).

The stages keep their own subclasses where they are raised (``ProfileError`` in
:mod:`interopcheck.profile.loader`, ``VersionError`` in :mod:`interopcheck.microversion`,
``BaselineError`` in :mod:`interopcheck.baseline`, ``LoadError`` in
:mod:`interopcheck.lint.loader`, ...); a caller that wants "anything interopcheck refused"
catches this base class. Anything else escaping is a bug.
"""

from __future__ import annotations

__all__ = ["InteropcheckError", "ReportError", "UsageError"]


class InteropcheckError(Exception):
    """Base class of interopcheck's own errors; the message is one line for the user."""


class UsageError(InteropcheckError):
    """A bad option or argument (a command-line flag, an ignore expression, a file it names)."""


class ReportError(InteropcheckError):
    """A report file or directory could not be written."""

    def __init__(self, path: str, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(f"{path}: cannot write the reports: {why}")
