"""A real OpenStack Keystone for the test bed: PyPI ``keystone`` in its own venv.

The venv lives in ``$INTEROPCHECK_TESTBED_CACHE`` (default
``~/.cache/interopcheck-testbed``)/``keystone-venv`` and is created on first use
(``keystone>=30,<31`` and gunicorn; a few minutes). Each :class:`KeystoneServer`
has its own directory: ``keystone.conf`` (SQLite, fernet tokens, ``[token]
expiration``, cheap password hashing), ``keystone-manage db_sync``, ``fernet_setup``,
``credential_setup`` and ``bootstrap``; then gunicorn serves a two-line module that
resets ``sys.argv`` (Keystone's oslo.config would parse gunicorn's arguments) and
builds the public application.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.processes import stop_process

KEYSTONE_SPEC = "keystone>=30,<31"

_WSGI_MODULE = """\
import sys

sys.argv = sys.argv[:1]  # keystone's oslo.config must not read gunicorn's arguments

from keystone.server.wsgi import initialize_public_application  # noqa: E402

application = initialize_public_application()
"""


class KeystoneUnavailable(RuntimeError):
    """Keystone could not be installed or started; the message has the log tail."""


def cache_dir() -> Path:
    env = os.environ.get("INTEROPCHECK_TESTBED_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "interopcheck-testbed"


def ensure_venv() -> Path:
    """The Keystone venv (created and installed when missing)."""
    venv = cache_dir() / "keystone-venv"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import keystone.server.wsgi, gunicorn"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        subprocess.run([sys.executable.replace(sys.prefix, sys.base_prefix)
                        if os.path.exists(sys.executable.replace(sys.prefix, sys.base_prefix))
                        else "python3", "-m", "venv", str(venv)], check=True, timeout=300)
    result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q",
                             "--disable-pip-version-check", KEYSTONE_SPEC, "gunicorn"],
                            capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise KeystoneUnavailable(f"pip install {KEYSTONE_SPEC} gunicorn into {venv} failed:\n"
                                  + result.stderr[-2000:])
    return venv


class KeystoneServer:
    """One Keystone on ``127.0.0.1:port`` (HTTP; a TLS proxy goes in front)."""

    def __init__(self, directory: Path, port: int, public_url: str, *,
                 admin_password: str, token_expiration: int = 3600,
                 region: str = "RegionOne") -> None:
        self.directory = directory
        self.port = port
        self.public_url = public_url
        self.admin_password = admin_password
        self.token_expiration = token_expiration
        self.region = region
        self.proc: subprocess.Popen | None = None
        self.venv: Path | None = None

    @property
    def url(self) -> str:
        """Keystone's own (plain HTTP) identity URL."""
        return f"http://127.0.0.1:{self.port}/v3"

    @property
    def conf(self) -> Path:
        return self.directory / "keystone.conf"

    @property
    def log_file(self) -> Path:
        return self.directory / "keystone.log"

    def _write_conf(self) -> None:
        d = self.directory
        self.conf.write_text(f"""[DEFAULT]
debug = False
log_file = {self.log_file}
[database]
connection = sqlite:///{d}/keystone.db
[token]
provider = fernet
expiration = {self.token_expiration}
[fernet_tokens]
key_repository = {d}/fernet-keys
[credential]
key_repository = {d}/credential-keys
[identity]
password_hash_rounds = 4
[cache]
enabled = false
""")

    def _manage(self, *args: str) -> None:
        assert self.venv is not None
        result = subprocess.run([str(self.venv / "bin" / "keystone-manage"), "--config-file",
                                 str(self.conf), *args], capture_output=True, text=True,
                                timeout=600, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            shown = " ".join(a if a != self.admin_password else "<redacted>" for a in args)
            raise KeystoneUnavailable(f"keystone-manage {shown} failed:\n"
                                      + (result.stderr or result.stdout)[-2000:])

    def _database(self) -> None:
        """``db_sync``, from a synced template kept beside the venv after the first time."""
        assert self.venv is not None
        template = self.venv / "keystone-template.db"
        db = self.directory / "keystone.db"
        if template.exists():
            shutil.copy(template, db)
            return
        self._manage("db_sync")
        shutil.copy(db, template.with_suffix(".tmp"))
        os.replace(template.with_suffix(".tmp"), template)

    def start(self, timeout: float = 120.0) -> KeystoneServer:
        self.venv = ensure_venv()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._write_conf()
        self._database()
        user = "root" if os.geteuid() == 0 else os.environ.get("USER", "root")
        group = "root" if os.geteuid() == 0 else user
        for what in ("fernet_setup", "credential_setup"):
            self._manage(what, "--keystone-user", user, "--keystone-group", group)
        self._manage("bootstrap", "--bootstrap-password", self.admin_password,
                     "--bootstrap-admin-url", self.public_url,
                     "--bootstrap-internal-url", self.public_url,
                     "--bootstrap-public-url", self.public_url,
                     "--bootstrap-region-id", self.region)
        (self.directory / "keystone_wsgi.py").write_text(_WSGI_MODULE)
        env = dict(os.environ, OS_KEYSTONE_CONFIG_FILES=str(self.conf),
                   PYTHONPATH=str(self.directory))
        for name in [k for k in env if k.startswith("OS_") and k != "OS_KEYSTONE_CONFIG_FILES"]:
            del env[name]
        self.proc = subprocess.Popen(
            [str(self.venv / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--no-control-socket", "--error-logfile",
             str(self.directory / "gunicorn.log"), "keystone_wsgi:application"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, cwd=str(self.directory), start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise KeystoneUnavailable(f"keystone (gunicorn) exited "
                                          f"({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(self.url, timeout=5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise KeystoneUnavailable(f"keystone did not answer GET /v3 within "
                                          f"{timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self, chars: int = 2000) -> str:
        out = []
        for path in (self.directory / "gunicorn.log", self.log_file):
            if path.exists():
                out.append(path.read_text(errors="replace")[-chars:])
        return "\n".join(out)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        stop_process(proc, grace=15)
