"""``interopcheck matrix SNAPSHOT...``: every pair of recorded clouds, compared offline."""

from __future__ import annotations

from interopcheck.matrix.compute import Matrix, Pair, build_matrix

__all__ = ["Matrix", "Pair", "build_matrix"]
