"""The command-line options that say how to reach a cloud, and the Cloud they give.

``interopcheck diff`` takes ``--os-cloud-a/--os-cloud-b`` (a cloud of ``clouds.yaml``
or ``envvars`` for the ``OS_*`` variables; then ``URL_A``/``URL_B`` may be left out),
``--header-a/--header-b 'Name: value'`` and the shared ``--region-name``,
``--interface``, ``--cacert``, ``--insecure``, ``--cert``, ``--key``. ``interopcheck
check`` takes ``--os-cloud`` (default ``$OS_CLOUD`` when no URL is given) and
``--header``. A URL given beside a cloud name replaces the catalog's endpoint (the
token still comes from Keystone).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from interopcheck.runner.cloudconfig import (
    CloudConfigError,
    Connection,
    from_cloud,
    parse_header,
    probe_tls,
    tls_verify,
)
from interopcheck.runner.clouds import Cloud

__all__ = ["CloudSpec", "add_check_options", "add_diff_options", "add_tls_options",
           "assign_urls", "build_cloud", "connection", "os_cloud_default"]


def add_tls_options(parser: argparse.ArgumentParser) -> None:
    """``--region-name``, ``--interface``, ``--cacert``, ``--insecure``, ``--cert``, ``--key``."""
    group = parser.add_argument_group("clouds by name and TLS")
    group.add_argument("--region-name", metavar="REGION",
                       help="catalog region (default: the cloud's region_name in clouds.yaml)")
    group.add_argument("--interface", choices=("public", "internal", "admin"),
                       help="catalog interface (default: the cloud's, else public)")
    group.add_argument("--cacert", metavar="FILE",
                       help="CA bundle for TLS (default: the cloud's cacert, else the system's)")
    group.add_argument("--insecure", action="store_true",
                       help="do not verify TLS certificates (shown in the report)")
    group.add_argument("--cert", metavar="FILE", help="client certificate (PEM) for TLS")
    group.add_argument("--key", metavar="FILE", help="client certificate's key (PEM)")


def add_diff_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``interopcheck diff`` (its URL_A/URL_B must be ``nargs='?'``)."""
    parser.add_argument("--os-cloud-a", metavar="NAME",
                        help="cloud A from clouds.yaml (or 'envvars' for OS_*): Keystone "
                             "auth and the catalog's endpoint; URL_A may then be left out")
    parser.add_argument("--os-cloud-b", metavar="NAME", help="cloud B from clouds.yaml")
    parser.add_argument("--header-a", action="append", default=[], metavar="'NAME: VALUE'",
                        help="a header sent on every call to A (repeatable)")
    parser.add_argument("--header-b", action="append", default=[], metavar="'NAME: VALUE'",
                        help="a header sent on every call to B (repeatable)")
    add_tls_options(parser)


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``interopcheck check`` (its URL must be ``nargs='?'``)."""
    parser.add_argument("--os-cloud", metavar="NAME",
                        help="the cloud from clouds.yaml (default: $OS_CLOUD when no URL is "
                             "given): Keystone auth and the catalog's endpoint")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                        help="a header sent on every call (repeatable)")
    add_tls_options(parser)


def connection(args: argparse.Namespace, headers: Sequence[str] = (),
               header_option: str = "--header") -> Connection:
    """The shared TLS and catalog options plus one cloud's headers."""
    parsed = tuple(parse_header(h, header_option) for h in headers)
    return Connection(cacert=getattr(args, "cacert", None),
                      insecure=bool(getattr(args, "insecure", False)),
                      cert=getattr(args, "cert", None), key=getattr(args, "key", None),
                      region_name=getattr(args, "region_name", None),
                      interface=getattr(args, "interface", None), headers=parsed)


@dataclass(frozen=True)
class CloudSpec:
    """One cloud as the user named it: a URL, a cloud of clouds.yaml, or both."""

    name: str
    url: str | None
    os_cloud: str | None
    token: str | None
    url_option: str
    cloud_option: str
    token_option: str


def build_cloud(spec: CloudSpec, service_type: str, conn: Connection, timeout: float,
                transport: httpx.BaseTransport | None = None) -> Cloud:
    """The :class:`Cloud` for ``spec``; CloudConfigError (one line) when it cannot be."""
    headers = dict(conn.headers)
    if spec.os_cloud:
        target = from_cloud(spec.os_cloud, service_type, conn, option=spec.cloud_option)
        url = spec.url or target.url
        if not url.startswith(("http://", "https://")):
            raise CloudConfigError(f"{spec.cloud_option} {spec.os_cloud}: the catalog's "
                                   f"endpoint {url!r} is not an http(s) URL")
        if transport is None:
            probe_tls(url, target.verify, f"{spec.cloud_option} {spec.os_cloud}", timeout)
        return Cloud(name=spec.name, base_url=url, token=target.token, transport=transport,
                     timeout=timeout, url_option=f"{spec.cloud_option} {spec.os_cloud}",
                     token_option=f"the credentials of cloud {spec.os_cloud!r} "
                                  "(clouds.yaml)",
                     auth=target.auth, verify=target.verify, headers=headers)
    if not spec.url:
        raise CloudConfigError(f"{spec.url_option} is missing: give the service URL or name "
                               f"a cloud of clouds.yaml with {spec.cloud_option}")
    if not spec.url.startswith(("http://", "https://")):
        raise CloudConfigError(f"{spec.url_option}: {spec.url!r} is not an http:// or "
                               "https:// URL")
    verify = tls_verify(conn.cacert, conn.insecure, conn.cert, conn.key)
    if transport is None:
        probe_tls(spec.url, verify, spec.url_option, timeout)
    return Cloud(name=spec.name, base_url=spec.url, token=spec.token, transport=transport,
                 timeout=timeout, url_option=spec.url_option, token_option=spec.token_option,
                 verify=verify, headers=headers)


def assign_urls(args: argparse.Namespace) -> None:
    """``diff --os-cloud-a NAME URL``: the one URL given is B's, not a replacement of A's."""
    if args.os_cloud_a and not args.os_cloud_b and args.url_a and not args.url_b:
        args.url_a, args.url_b = None, args.url_a


def os_cloud_default(args: argparse.Namespace) -> str | None:
    """``--os-cloud``, else ``$OS_CLOUD`` when no URL was given."""
    if getattr(args, "os_cloud", None):
        return str(args.os_cloud)
    if not getattr(args, "url", None):
        return os.environ.get("OS_CLOUD") or None
    return None
