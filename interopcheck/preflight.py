"""Output paths checked before a run: a report that cannot be written is found out in
the first second, not after minutes of calls (and never as an internal error).

Each check *tries* what the write will do (create the directory, open the file), since
permission bits say nothing for root or read-only file systems. They return the one
problem line, or None.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["check_output_file", "check_report_dir"]


def check_report_dir(directory: str, option: str = "--report-dir") -> str | None:
    """Create ``directory`` when missing and write a probe file in it."""
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".interopcheck-probe-"):
            pass
    except OSError as exc:
        return (f"{option} {directory}: cannot write reports there "
                f"({exc.strerror or exc}); give a writable directory")
    return None


def check_output_file(file: str, option: str = "--output") -> str | None:
    """The file's directory must exist and the file must be writable."""
    path = Path(file)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        return (f"{option} {file}: the directory {parent} {what}; "
                "create it first or give another path")
    if path.is_dir():
        return f"{option} {file}: is a directory; give a file name"
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return f"{option} {file}: cannot write it ({exc.strerror or exc}); give another path"
    if not existed:
        os.unlink(path)
    return None
