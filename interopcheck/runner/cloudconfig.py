"""Clouds by name: ``clouds.yaml`` and ``OS_*``, Keystone, the service catalog, TLS.

:func:`from_cloud` reads a named cloud the way the OpenStack client does, through
openstacksdk's config loader (``clouds.yaml`` and ``secure.yaml`` in the usual
places or ``$OS_CLIENT_CONFIG_FILE``, vendor profiles, ``OS_*`` variables as the
``envvars`` cloud). It authenticates with the keystoneauth1 plugin the cloud names
(``password``, ``v3applicationcredential``, ``token``, ...), and takes the endpoint
of the profile's service type from the catalog (interface and region from the
options, else from ``clouds.yaml``, else ``public``). The result is a
:class:`Target`: what :class:`~interopcheck.runner.clouds.Cloud` needs.

Every failure is a :class:`CloudConfigError` with one line (what, where, what to
do) and no secret in it: an unknown cloud, missing or rejected credentials, an
unreachable Keystone, a TLS certificate from an unknown CA, a service type the
catalog does not have.

:func:`tls_verify` turns ``--cacert``/``--insecure``/``--cert``/``--key`` (or the
same keys of ``clouds.yaml``) into httpx's ``verify``: an ``ssl.SSLContext`` built
with the standard library, because httpx takes a context for a CA file plus a
client certificate.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from interopcheck.errors import InteropcheckError
from interopcheck.runner.clouds import safe_url
from interopcheck.runner.keystone_auth import TOKEN_MARKER, KeystoneAuth

__all__ = ["CloudConfigError", "Connection", "Target", "from_cloud", "parse_header",
           "tls_verify"]

#: Keys of a cloud's ``auth`` section that hold secrets.
_SECRET_KEYS = ("password", "application_credential_secret", "token", "passcode",
                "client_secret", "secret")
_VERIFY_FAILED = re.compile(r"certificate verify failed: ([^(')\"]+)")


class CloudConfigError(InteropcheckError):
    """A named cloud cannot be used; the message is the one line to print."""


@dataclass(frozen=True)
class Connection:
    """How to reach one cloud besides its name: the command line's options."""

    cacert: str | None = None
    insecure: bool = False
    cert: str | None = None
    key: str | None = None
    region_name: str | None = None
    interface: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Target:
    """A named cloud, resolved: its endpoint, how to authenticate and how to talk TLS."""

    url: str
    token: str
    auth: KeystoneAuth
    verify: ssl.SSLContext | bool
    description: str
    secrets: list[str] = field(default_factory=list, repr=False)


def parse_header(text: str, option: str) -> tuple[str, str]:
    """``'Name: value'`` -> (name, value); CloudConfigError when it is not a header."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
        raise CloudConfigError(f"{option}: expected 'Name: value', got a value without a "
                               "header name (the value is not shown)")
    return name, value


def tls_verify(cacert: str | None = None, insecure: bool = False, cert: str | None = None,
               key: str | None = None, where: str = "--cacert") -> ssl.SSLContext | bool:
    """httpx's ``verify`` for these TLS options (a context when a file is involved)."""
    if not (cacert or cert):
        return not insecure
    try:
        if insecure:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context = ssl.create_default_context(cafile=os.path.expanduser(cacert)
                                                 if cacert else None)
        if cert:
            context.load_cert_chain(os.path.expanduser(cert),
                                    os.path.expanduser(key) if key else None)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        files = ", ".join(f for f in (cacert, cert, key) if f)
        raise CloudConfigError(f"{where}: cannot load the TLS files ({files}): {reason}; "
                               "give readable PEM files") from None
    return context


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def _load(name: str, option: str, overrides: dict[str, Any]) -> Any:
    try:
        from keystoneauth1 import exceptions as ks_exc
        from openstack import exceptions as os_exc
        from openstack.config import OpenStackConfig
    except ModuleNotFoundError as exc:
        raise CloudConfigError(f"{option} {name}: clouds by name need {exc.name}: "
                               "pip install 'interopcheck[openstack]'") from None

    try:
        loader = OpenStackConfig()
    except os_exc.ConfigException as exc:
        raise CloudConfigError(f"{option} {name}: cannot read clouds.yaml: {exc}") from None
    try:
        return loader.get_one(cloud=name, **overrides)
    except os_exc.ConfigException as exc:
        if name not in loader.get_cloud_names():
            where = loader.config_filename or "no clouds.yaml found"
            known = ", ".join(sorted(loader.get_cloud_names())) or "none"
            raise CloudConfigError(
                f"{option} {name}: no cloud of that name ({where}; clouds there: {known}): "
                "check the name, or point OS_CLIENT_CONFIG_FILE at your clouds.yaml") from None
        raise CloudConfigError(f"{option} {name}: {exc}") from None
    except ks_exc.MissingRequiredOptions as exc:
        missing = ", ".join(o.dest for o in exc.options)
        raise CloudConfigError(f"{option} {name}: the cloud's auth lacks {missing}: add it "
                               "to clouds.yaml (or secure.yaml / OS_* variables)") from None
    except ks_exc.ClientException as exc:
        raise CloudConfigError(f"{option} {name}: {type(exc).__name__}: {exc}") from None


def _auth_url(region: Any) -> str:
    url = (region.config.get("auth") or {}).get("auth_url") or ""
    return safe_url(str(url)) if url else "Keystone"


def _tls_reason(exc: Exception) -> str:
    found = _VERIFY_FAILED.search(str(exc))
    return found.group(1).strip() if found else "the TLS handshake failed"


def _endpoint(region: Any, session: Any, plugin: Any, service_type: str,
              option: str, name: str, secrets: list[str]) -> tuple[str, str, str | None]:
    from keystoneauth1 import exceptions as ks_exc

    interface = region.get_interface(service_type) or "public"
    if isinstance(interface, list):
        interface = interface[0] if interface else "public"
    region_name = region.get_region_name(service_type) or None
    keystone = _auth_url(region)
    where = f"{option} {name}"
    try:
        url = session.get_endpoint(service_type=service_type, interface=interface,
                                   region_name=region_name)
    except ks_exc.Unauthorized:
        raise CloudConfigError(
            f"{where}: Keystone at {keystone} rejected the credentials (401): check the "
            "user name, password or application credential of that cloud") from None
    except ks_exc.SSLError as exc:
        raise CloudConfigError(
            f"{where}: the TLS certificate of Keystone at {keystone} is not trusted "
            f"({_tls_reason(exc)}): give its CA with --cacert FILE or cacert: in "
            "clouds.yaml") from None
    except ks_exc.ConnectFailure as exc:
        raise CloudConfigError(f"{where}: cannot reach Keystone at {keystone} "
                               f"({type(exc).__name__}): check auth_url") from None
    except ks_exc.EndpointNotFound:
        url = None
    except ks_exc.ClientException as exc:
        raise CloudConfigError(f"{where}: Keystone at {keystone}: {type(exc).__name__}: "
                               f"{_scrub(str(exc), secrets)}") from None
    except Exception as exc:  # keystoneauth raises bare Exceptions for some bad auth sections
        raise CloudConfigError(f"{where}: the cloud's auth section is not usable: "
                               f"{_scrub(str(exc), secrets)}: fix it in clouds.yaml") from None
    if not url:
        types: list[str] = []
        try:
            catalog = plugin.get_access(session).service_catalog
            types = sorted({str(s.get("type")) for s in catalog.catalog})
        except Exception:  # the catalog listing is a hint only
            pass
        where_in = f"interface {interface}" + (f", region {region_name}" if region_name else "")
        raise CloudConfigError(
            f"{where}: the service catalog has no {service_type!r} endpoint ({where_in}; "
            f"types there: {', '.join(types) or 'none'}): choose the right cloud, "
            "--region-name or --interface") from None
    return str(url), str(interface), region_name


def from_cloud(name: str, service_type: str, connection: Connection | None = None,
               option: str = "--os-cloud") -> Target:
    """Resolve cloud ``name`` for ``service_type``; CloudConfigError says why not."""
    connection = connection or Connection()
    for logger in ("keystoneauth", "openstack", "stevedore"):  # no lines of theirs on stderr
        if not logging.getLogger(logger).handlers:
            logging.getLogger(logger).addHandler(logging.NullHandler())
    overrides: dict[str, Any] = {
        "region_name": connection.region_name, "interface": connection.interface,
        "cacert": connection.cacert, "cert": connection.cert, "key": connection.key}
    if connection.insecure:
        overrides["insecure"] = True
    overrides = {k: v for k, v in overrides.items() if v is not None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        region = _load(name, option, overrides)
        auth_section = region.config.get("auth") or {}
        secrets = [str(auth_section[k]) for k in _SECRET_KEYS if auth_section.get(k)]
        plugin = region.get_auth()
        if plugin is None:
            raise CloudConfigError(f"{option} {name}: the cloud has no auth section: add one "
                                   "to clouds.yaml")
        session = region.get_session()
        url, interface, region_name = _endpoint(region, session, plugin, service_type,
                                                option, name, secrets)
        verify, cert = region.get_requests_verify_args()
    cacert = verify if isinstance(verify, str) else None
    cert_file, key_file = (cert if isinstance(cert, tuple) else (cert, None))
    context = tls_verify(cacert, verify is False, cert_file, key_file,
                         where=f"{option} {name}")
    auth = KeystoneAuth(session, plugin, f"{option} {name}")
    label = f"cloud {name!r} ({service_type}, interface {interface}" + \
        (f", region {region_name})" if region_name else ")")
    return Target(url=url, token=TOKEN_MARKER, auth=auth, verify=context, description=label,
                  secrets=secrets)


def probe_tls(url: str, verify: ssl.SSLContext | bool, option: str, timeout: float) -> None:
    """One ``HEAD`` to ``url``: CloudConfigError when its TLS certificate is not trusted."""
    if not url.startswith("https:"):
        return
    try:
        with httpx.Client(verify=verify, timeout=timeout) as client:
            client.head(url)
    except httpx.ConnectError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc):
            raise CloudConfigError(
                f"{option}: the TLS certificate of {safe_url(url)} is not trusted "
                f"({_tls_reason(exc)}): give its CA with --cacert FILE (or cacert: in "
                "clouds.yaml), or --insecure to skip the check") from None
    except httpx.HTTPError:
        pass  # anything else shows up, once, in the run itself
