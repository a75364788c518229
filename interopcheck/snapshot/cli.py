"""``interopcheck record CLOUD --out FILE``, and snapshots in place of URLs for ``diff``.

``diff`` takes a snapshot path (or a packaged reference name such as ``placement-16.0``)
wherever it takes a URL: :func:`take_snapshot_args` lifts those arguments out before
the live clouds are built and :func:`put_snapshots` puts recorded clouds in their place.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any, TextIO

import httpx

from interopcheck.errors import UsageError
from interopcheck.exitcodes import EXIT_FAILED, EXIT_OK
from interopcheck.profile.loader import load_profile
from interopcheck.profile.model import Profile
from interopcheck.runner import cloud_options
from interopcheck.runner.clouds import Cloud, resolve_token
from interopcheck.runner.run import Clouds, Progress
from interopcheck.snapshot.cloud import SnapshotCloud, open_snapshot_cloud
from interopcheck.snapshot.format import SnapshotError, check_profile, resolve, save_snapshot
from interopcheck.snapshot.record import record

__all__ = ["add_parser", "is_snapshot", "put_snapshots", "run", "take_snapshot_args"]


#: Stands in for a snapshot's URL while the live clouds are built (never called).
_PLACEHOLDER = "http://snapshot.invalid"


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``record`` on the main parser's subparsers."""
    p = subparsers.add_parser(
        "record", help="record a cloud's behaviour under a profile into a snapshot file",
        description="Run every scenario of the profile at the chosen microversions twice on "
                    "one cloud and write what a diff compares (statuses, header names and "
                    "protocol header values, body shapes, error codes) into a snapshot file, "
                    "never a token or a captured value. The file stands wherever a cloud's "
                    "URL does: interopcheck diff SNAPSHOT URL, matrix, capabilities.")
    p.add_argument("url", metavar="CLOUD", nargs="?",
                   help="the service root URL (optional with --os-cloud or $OS_CLOUD)")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="snapshot file to write (gzip-compressed when it ends in .gz)")
    p.add_argument("--profile", default="placement", help="profile name or YAML file")
    p.add_argument("--microversions", default="all", metavar="SPEC",
                   help="all (default), a list 1.2,1.14 or a range 1.10-1.20")
    p.add_argument("--scenario", action="append", default=[], metavar="GLOB",
                   help="record only scenarios whose name matches (repeatable)")
    p.add_argument("--token", help="token (default: $INTEROPCHECK_TOKEN, then the profile's "
                                   "default token); never written")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="per-call timeout (default 30)")
    p.add_argument("--concurrency", type=int, default=4, metavar="N",
                   help="scenario runs in parallel (default 4; 1 = one at a time)")
    p.add_argument("--release", metavar="TEXT",
                   help="what the cloud runs, kept in the provenance (e.g. "
                        "'openstack-placement 16.0.0')")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    cloud_options.add_check_options(p)  # --os-cloud, --header, TLS, catalog (as check)
    return p


def live_cloud(args: argparse.Namespace, profile: Profile, url: str | None,
               os_cloud: str | None, transport: httpx.BaseTransport | None) -> Cloud:
    """One live cloud by URL or by ``--os-cloud NAME`` (Keystone and the catalog's endpoint),
    built as ``interopcheck check`` builds it; CloudConfigError (one line) if it cannot be."""
    if float(getattr(args, "timeout", 30.0)) <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    token = resolve_token(args.token, "INTEROPCHECK_TOKEN", profile.auth.default_token)
    spec = cloud_options.CloudSpec("A", url, os_cloud, token, "CLOUD", "--os-cloud",
                                   "--token or INTEROPCHECK_TOKEN")
    return cloud_options.build_cloud(spec, profile.service_type,
                                     cloud_options.connection(args, args.header),
                                     float(getattr(args, "timeout", 30.0)), transport)


def run(args: argparse.Namespace, transports: Mapping[str, httpx.BaseTransport],
        out: TextIO, err: TextIO) -> int:
    """``interopcheck record``: exit 0 when written, 2 when it could not be."""
    from interopcheck.capabilities.collect import inventory

    if args.url and not args.url.startswith(("http://", "https://")):
        err.write(f"interopcheck: CLOUD: {args.url!r} is not an http:// or https:// URL\n")
        return EXIT_FAILED
    profile = load_profile(args.profile)
    cloud = live_cloud(args, profile, args.url, cloud_options.os_cloud_default(args),
                       transports.get("A"))
    try:
        snapshot = record(profile, cloud, microversions=args.microversions,
                          scenarios=tuple(args.scenario), concurrency=max(1, args.concurrency),
                          progress=Progress(err, enabled=not args.quiet), extras=inventory)
        if args.release:
            snapshot.data["provenance"]["cloud"]["release"] = args.release
        size = save_snapshot(snapshot, args.out)
    except SnapshotError as exc:
        err.write(f"interopcheck: {cloud.scrub(str(exc))}\n")
        return EXIT_FAILED
    finally:
        cloud.close()
    prov = snapshot.data["provenance"]
    jobs = sum(len(v) for v in snapshot.data["jobs"].values())
    out.write(f"{args.out}: {jobs} scenario runs (x{prov['runs']}) at "
              f"{len(prov['microversions'])} microversions of {prov['cloud']['url']} "
              f"({prov['cloud']['min_version']}-{prov['cloud']['max_version']}), "
              f"{len(snapshot.data['exchanges'])} distinct exchanges, {size} bytes\n")
    return EXIT_OK


def is_snapshot(ref: str | None) -> bool:
    """True for a snapshot file or packaged reference name (not an http(s) URL)."""
    return bool(ref) and not str(ref).startswith(("http://", "https://")) \
        and resolve(str(ref)) is not None


def take_snapshot_args(args: argparse.Namespace) -> dict[str, str]:
    """Lift snapshot references out of ``url_a``/``url_b`` (replaced by a placeholder URL)."""
    taken: dict[str, str] = {}
    for name, attr in (("A", "url_a"), ("B", "url_b")):
        ref = getattr(args, attr, None)
        if is_snapshot(ref):
            taken[name] = str(ref)
            setattr(args, attr, _PLACEHOLDER)
    return taken


def put_snapshots(clouds: Clouds, taken: Mapping[str, str], profile: Profile) -> Clouds:
    """``clouds`` with the recorded clouds in place of the placeholders (checked first)."""
    if not taken:
        return clouds
    replaced: dict[str, Cloud] = {}
    for name, ref in taken.items():
        cloud: SnapshotCloud = open_snapshot_cloud(name, ref, url_option=f"URL_{name}")
        assert cloud.snapshot is not None
        check_profile(cloud.snapshot, profile)
        replaced[name] = cloud
    return Clouds(replaced.get("A", clouds.a), replaced.get("B", clouds.b), clouds.a2, clouds.b2)
