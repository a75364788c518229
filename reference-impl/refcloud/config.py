"""refcloud's configuration: one frozen dataclass, built by the CLI or tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Config:
    #: SQLAlchemy URL. ``sqlite://`` is a private in-memory database;
    #: ``sqlite:///path.db`` a file; ``postgresql://...`` a server.
    db_url: str = "sqlite://"
    #: Names of known deviations to switch on (see ``refcloud serve --drift``).
    drift: tuple[str, ...] = field(default_factory=tuple)
    #: Shuffle allocation candidates (Placement's randomize_allocation_candidates).
    randomize_allocation_candidates: bool = False
    #: Retries of an allocation write after a provider generation conflict.
    allocation_conflict_retry_count: int = 10
    #: Answer a missing token with a 401 in the errors format instead of real
    #: Placement's webob body (``refcloud serve --apisig-401``).
    apisig_401: bool = False
