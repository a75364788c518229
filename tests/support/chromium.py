"""Headless Chromium for tests, driven over the DevTools protocol (CDP).

``find_chromium()`` returns Debian's ``chromium`` (installing it with
``apt-get install -y chromium`` when missing and running as root) or raises
:class:`ChromiumUnavailable` with one line saying what to do.
``Browser(binary, profile_dir)`` starts it on a free DevTools port and
``browser.page()`` gives a :class:`Page` (the first tab) to evaluate script in,
click at the real coordinates of an element, type text, navigate and take
screenshots. Only ``websocket-client`` is needed on top of the standard library.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["FLAGS", "Browser", "ChromiumUnavailable", "Page", "find_chromium"]

#: How the tests run Chromium: headless, no sandbox (root in containers), no network chatter.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
)
_DEBIAN_BINARY = "/usr/bin/chromium"
_HINT = ("Chromium not found at /usr/bin/chromium: install Debian's package with "
         "'sudo apt-get install -y chromium' (or run the tests as root, which installs it)")


class ChromiumUnavailable(RuntimeError):
    """Chromium cannot be found, installed or driven here; the message says why."""


def find_chromium() -> str:
    """Path of the chromium binary, installing Debian's package first when root and missing."""
    if os.access(_DEBIAN_BINARY, os.X_OK):
        return _DEBIAN_BINARY
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ChromiumUnavailable(_HINT)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:  # a fresh machine has empty package lists: update once, retry
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, text=True,
                       timeout=600)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not os.access(_DEBIAN_BINARY, os.X_OK):
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ChromiumUnavailable(f"apt-get install -y chromium failed: {last}")
    return _DEBIAN_BINARY


def screenshot(binary: str, url: str, out: Path, profile_dir: Path,
               size: tuple[int, int] = (1440, 900)) -> Path:
    """``chromium --screenshot``: one PNG of ``url`` at ``size``."""
    subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile_dir}", f"--window-size={size[0]},{size[1]}",
         f"--screenshot={out}", url],
        capture_output=True, timeout=30, check=True)
    return out


class Page:
    """One tab, over a CDP websocket. Events that arrive while waiting are kept."""

    def __init__(self, ws_url: str) -> None:
        try:
            import websocket  # websocket-client
        except ImportError as exc:
            raise ChromiumUnavailable(
                "the browser test needs websocket-client: pip install -e '.[test]'") from exc
        self._ws = websocket.create_connection(ws_url, timeout=10, suppress_origin=True)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a CDP method; returns its result, raises on a protocol error."""
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise ChromiumUnavailable(f"CDP {method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def eval(self, expression: str) -> Any:
        """Evaluate script in the page and return its (JSON) value; page exceptions raise."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            time.sleep(0.02)

    def navigate(self, url: str) -> None:
        """Go to ``url`` and wait for the load (the page may rewrite its own fragment)."""
        self.send("Page.navigate", url=url)
        base = url.split("#", 1)[0]
        self.wait_for(f"location.href.split('#')[0] === {json.dumps(base)}"
                      " && document.readyState === 'complete'")

    def click(self, selector: str) -> None:
        """A real mouse click (press + release) at the middle of the element."""
        box = self.eval(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " if (!el) { return null; } el.scrollIntoView({block: 'center'});"
            " const r = el.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        if box is None:
            raise AssertionError(f"nothing matches {selector}")
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1 if kind != "mouseMoved" else 0)

    def type_into(self, selector: str, text: str) -> None:
        self.click(selector)
        self.send("Input.insertText", text=text)

    def capture(self, out: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        out.write_bytes(base64.b64decode(data))
        return out

    def close(self) -> None:
        self._ws.close()


class Browser:
    """A headless Chromium with a private profile and a DevTools port; a context manager."""

    def __init__(self, binary: str, profile_dir: Path, size: tuple[int, int] = (1440, 900)) -> None:
        self.binary, self.profile_dir, self.size = binary, profile_dir, size
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def __enter__(self) -> Browser:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        self.log = self.profile_dir / "chromium.log"
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile_dir}",
             f"--window-size={self.size[0]},{self.size[1]}", "--remote-debugging-port=0",
             "--remote-debugging-address=127.0.0.1", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self._log_file)
        active = self.profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + 20
        while not (active.exists() and active.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                err = self.log.read_text(errors="replace")
                raise ChromiumUnavailable(f"chromium did not start: {err.strip()[-500:]}")
            time.sleep(0.02)
        self.port = int(active.read_text().split()[0])
        return self

    def page(self) -> Page:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
        with direct.open(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as r:
            targets = json.load(r)
        target = next(t for t in targets if t.get("type") == "page")
        return Page(target["webSocketDebuggerUrl"])

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log_file.close()
        self.proc = None
