"""``interopcheck`` as a process: ``python -m interopcheck``, a closed pipe, Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

COMMAND = [sys.executable, "-m", "interopcheck"]


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("interopcheck ")


def test_a_closed_pipe_is_a_quiet_exit() -> None:
    """``interopcheck profile --list | head -0``: the reader is gone before anything is written."""
    process = subprocess.Popen([*COMMAND, "profile", "placement", "--list"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""


def test_ctrl_c_exits_130() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        process = subprocess.Popen([*COMMAND, "diff", url, url, "--quiet", "--timeout", "60"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        silent.settimeout(120)
        connection, _ = silent.accept()  # the diff is in version discovery, waiting
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        connection.close()
    assert process.returncode == 130, out + err
    assert "interrupted" in err
    assert "Traceback" not in err
