"""Profiles: declarative YAML scenarios per service (model, loader, templates)."""

from __future__ import annotations

from interopcheck.profile.loader import ProfileError, find_profile, load_profile, parse_ignore
from interopcheck.profile.model import (
    UNSET,
    Auth,
    Discovery,
    IgnoreRule,
    MicroversionMode,
    Profile,
    Scenario,
    Section,
    Step,
)
from interopcheck.profile.templates import TemplateError, Variables

__all__ = [
    "UNSET",
    "Auth",
    "Discovery",
    "IgnoreRule",
    "MicroversionMode",
    "Profile",
    "ProfileError",
    "Scenario",
    "Section",
    "Step",
    "TemplateError",
    "Variables",
    "find_profile",
    "load_profile",
    "parse_ignore",
]
