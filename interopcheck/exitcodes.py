"""The exit codes of every ``interopcheck`` subcommand, in one place (README: "Command line").

0 clean, 1 findings (or differences), 2 the run could not be done, 130 interrupted.
"""

from __future__ import annotations

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_FAILED", "EXIT_FINDINGS", "EXIT_INTERRUPTED", "EXIT_OK"]

EXIT_OK = 0
#: Findings (diff, check, lint, breaking, matrix) or differences (capabilities diff).
EXIT_FINDINGS = 1
#: The run itself failed: a bad option, a cloud or file that cannot be read.
EXIT_FAILED = 2
#: Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130
#: Standard output closed by its reader (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141
