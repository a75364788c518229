"""Structural comparison of HTTP exchanges: shapes, headers, error codes and messages."""

from __future__ import annotations

from interopcheck.compare.exchange import REDACTED, Exchange, parse_body
from interopcheck.compare.shape import Shape, ShapeDiff, diff, render, shape_of
from interopcheck.compare.structural import (
    CompareOptions,
    Departure,
    Difference,
    compare,
    render_differences,
)

__all__ = [
    "REDACTED",
    "CompareOptions",
    "Departure",
    "Difference",
    "Exchange",
    "Shape",
    "ShapeDiff",
    "compare",
    "diff",
    "parse_body",
    "render",
    "render_differences",
    "shape_of",
]
