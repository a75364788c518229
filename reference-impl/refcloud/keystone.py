"""``refcloud serve --auth keystone``: keystonemiddleware's ``auth_token`` in front.

As real Placement deploys it (``[api] auth_strategy = keystone``): every request
except the version document at the root (``/``, and ``/compute/`` for the servers
API) goes through keystonemiddleware's ``auth_token``, which validates the token
with Keystone and answers ``401`` itself (its own ``{"error": {...}}`` body and
``WWW-Authenticate``) when the token is missing or invalid. Behind it refcloud's
noauth2 layer takes the identity from the headers ``auth_token`` sets
(``X-User-Id``, ``X-Project-Id``, ``X-Roles``) instead of the token.

keystonemiddleware is an optional dependency (``pip install 'interopcheck[keystone]'``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["KeystoneOptions", "add_options", "options_from_args", "protect"]

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

#: Paths answered without a token (the version documents), as Placement's PlacementAuthProtocol.
OPEN_PATHS = frozenset({"", "/", "/compute", "/compute/"})


@dataclass(frozen=True)
class KeystoneOptions:
    """The ``[keystone_authtoken]`` settings refcloud passes to ``auth_token``."""

    url: str
    username: str = "admin"
    password: str = ""
    project: str = "admin"
    user_domain: str = "default"
    project_domain: str = "default"
    interface: str = "public"
    cafile: str | None = None
    region_name: str | None = None

    def conf(self) -> dict[str, str]:
        conf = {
            "www_authenticate_uri": self.url,
            "auth_url": self.url,
            "auth_type": "password",
            "username": self.username,
            "password": self.password,
            "project_name": self.project,
            "user_domain_id": self.user_domain,
            "project_domain_id": self.project_domain,
            "interface": self.interface,
            "service_token_roles_required": "false",
            "log_name": "refcloud.keystonemiddleware",
        }
        if self.cafile:
            conf["cafile"] = self.cafile
        if self.region_name:
            conf["region_name"] = self.region_name
        return conf


def add_options(parser: argparse.ArgumentParser) -> None:
    """``--auth`` and the ``--keystone-*`` options of ``refcloud serve``."""
    parser.add_argument("--auth", choices=("noauth2", "keystone"), default="noauth2",
                        help="noauth2 (default: send X-Auth-Token admin) or keystone "
                             "(keystonemiddleware auth_token against --keystone-url)")
    parser.add_argument("--keystone-url", metavar="URL",
                        help="Keystone's identity URL, e.g. https://keystone:5000/v3")
    parser.add_argument("--keystone-user", default="admin", metavar="NAME",
                        help="service user that validates tokens (default admin)")
    parser.add_argument("--keystone-password-env", default="REFCLOUD_KEYSTONE_PASSWORD",
                        metavar="VAR", help="environment variable holding the service user's "
                                            "password (default REFCLOUD_KEYSTONE_PASSWORD)")
    parser.add_argument("--keystone-project", default="admin", metavar="NAME",
                        help="service user's project (default admin; domains: default)")
    parser.add_argument("--keystone-cafile", metavar="FILE",
                        help="CA bundle to verify Keystone's TLS certificate")
    parser.add_argument("--keystone-region", metavar="REGION",
                        help="region of the identity endpoint used for validation")


def options_from_args(args: argparse.Namespace) -> KeystoneOptions:
    """The options, checked; ValueError (one line) when something is missing."""
    if not args.keystone_url:
        raise ValueError("--auth keystone needs --keystone-url (Keystone's /v3 URL)")
    password = os.environ.get(args.keystone_password_env, "")
    if not password:
        raise ValueError(f"--auth keystone: set the service user's password in "
                         f"${args.keystone_password_env}")
    return KeystoneOptions(url=args.keystone_url, username=args.keystone_user,
                           password=password, project=args.keystone_project,
                           cafile=args.keystone_cafile, region_name=args.keystone_region)


class _OpenRoot:
    """Version documents go straight to the app; everything else through ``auth_token``."""

    def __init__(self, app: WSGIApp, protected: WSGIApp) -> None:
        self.app = app
        self.protected = protected

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") in OPEN_PATHS:
            return self.app(environ, start_response)
        return self.protected(environ, start_response)

    def __getattr__(self, name: str) -> Any:  # ``db`` and friends of the wrapped app
        return getattr(self.app, name)


def protect(app: WSGIApp, options: KeystoneOptions) -> WSGIApp:
    """``app`` behind keystonemiddleware's ``auth_token`` configured by ``options``."""
    try:
        from keystonemiddleware import auth_token
    except ModuleNotFoundError:
        raise ValueError("--auth keystone needs keystonemiddleware: "
                         "pip install 'interopcheck[keystone]'") from None
    return _OpenRoot(app, auth_token.AuthProtocol(app, options.conf()))
