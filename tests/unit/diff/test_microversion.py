"""interopcheck.microversion: versions, ranges, version sets and --microversions selections."""

from __future__ import annotations

import pytest

from interopcheck.microversion import (
    Version,
    VersionError,
    expand,
    parse,
    parse_range,
    parse_versions,
    select,
)

V = parse


def test_versions_order_numerically() -> None:
    assert V("1.9") < V("1.10") < V("2.0")
    assert str(V("1.05")) == "1.5"


@pytest.mark.parametrize("text", ["1", "1.2.3", "a.b", "", "1.x"])
def test_bad_versions_are_refused(text: str) -> None:
    with pytest.raises(VersionError):
        parse(text)


def test_ranges() -> None:
    assert V("1.14") in parse_range("1.14-")
    assert V("1.13") not in parse_range("1.14-")
    assert V("1.5") in parse_range("-1.5") and V("1.6") not in parse_range("-1.5")
    assert V("1.20") in parse_range("1.20") and V("1.21") not in parse_range("1.20")
    with pytest.raises(VersionError, match="empty"):
        parse_range("1.6-1.2")


def test_version_sets() -> None:
    vs = parse_versions("1.0, 1.22-1.23, 1.38-")
    assert [str(v) for v in expand(V("1.0"), V("1.39")) if v in vs] == \
        ["1.0", "1.22", "1.23", "1.38", "1.39"]
    assert str(vs) == "1.0, 1.22-1.23, 1.38-"
    assert V("1.7") in parse_versions(None) and parse_versions("").unbounded
    assert parse_versions("1.2-1.6").overlaps(parse_versions("1.6-"))
    assert not parse_versions("1.2-1.5").overlaps(parse_versions("1.6-"))


def test_select() -> None:
    low, high = V("1.0"), V("1.39")
    assert len(select("all", low, high)[0]) == 40
    assert select("latest-common", low, high) == ([V("1.39")], [])
    chosen, outside = select("1.2,1.14,1.10-1.12,1.45", low, high)
    assert [str(v) for v in chosen] == ["1.2", "1.10", "1.11", "1.12", "1.14"]
    assert outside == ["1.45"]
    assert select("1.30-1.45", low, high)[1] == ["1.30-1.45"]


def test_expand_refuses_two_majors() -> None:
    with pytest.raises(VersionError):
        expand(Version(1, 0), Version(2, 1))
