"""Query-string parsing into request groups (GET /allocation_candidates).

The value parsers (``parse_resources``, ``parse_traits``, ``traits_params``,
``parse_member_of``, ``member_of_params``, ``parse_in_tree``) are shared with
``GET /resource_providers``; every one raises the exact Placement 400.

A request holds one unsuffixed group (resources may come from several
providers of one tree and from sharing providers) and any number of
suffixed groups (``resources1``, ``resources_NET``...; everything on one
provider), plus request-wide parameters (limit, group_policy,
root_required, same_subtree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import webob
import webob.exc

from refcloud import errors, http, microversion

_BAD_REQUEST = webob.exc.HTTPBadRequest
_GROUP_KEYS = ("resources", "required", "member_of", "in_tree")
_KEYS = "|".join(_GROUP_KEYS)
_KEY_PATTERN = re.compile("^(" + _KEYS + r")([1-9][0-9]*)?$")
_KEY_PATTERN_1_33 = re.compile("^(" + _KEYS + r")([a-zA-Z0-9_-]{1,64})?$")


def _bad(message: str, code: str | None = None) -> webob.exc.HTTPException:
    return http.error(_BAD_REQUEST, message, code=code)


# --- value parsers (shared) ---------------------------------------------


def parse_resources(value: str) -> dict[str, int]:
    """``RC:amount,RC:amount`` -> {RC: amount}; a repeated class keeps the last."""
    if value.strip() == "":
        raise _bad(
            "Badly formed resources parameter. Expected resources query string "
            "parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: empty string."
        )
    result: dict[str, int] = {}
    for item in value.split(","):
        try:
            rc_name, raw = item.split(":")
        except ValueError:
            raise _bad(
                "Badly formed resources parameter. Expected resources query string "
                f"parameter in form: ?resources=VCPU:2,MEMORY_MB:1024. Got: {item}."
            ) from None
        try:
            amount = int(raw)
        except ValueError:
            raise _bad(
                f"Requested resource {rc_name} expected positive integer amount. "
                f"Got: {raw}."
            ) from None
        if amount < 1:
            raise _bad(f"Requested resource {rc_name} requires amount >= 1. Got: {amount}.")
        result[rc_name] = amount
    return result


def parse_traits(
    value: str, allow_forbidden: bool = False, allow_any: bool = False
) -> tuple[list[set[str]], set[str]]:
    """One ``required`` value -> (AND-list of any-of sets, forbidden names).

    ``A,!B`` gives ([{A}], {B}); ``in:A,B`` (only when ``allow_any``) gives
    ([{A, B}], set()).
    """
    prefix = "Invalid query string parameters: "
    if value.startswith("in:"):
        if not allow_any:
            raise _bad(
                f"{prefix}The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported "
                f"since microversion 1.39. Got: {value}"
            )
        any_of = {name.strip() for name in value[3:].split(",")}
        if not all(any_of):
            raise _bad(
                f"{prefix}Expected 'required' parameter value of the form: "
                f"in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: {value}"
            )
        if any(name.startswith("!") for name in any_of):
            raise _bad(
                f"{prefix}The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not "
                f"support forbidden traits. Got: {value}"
            )
        return [any_of], set()
    names = [name.strip() for name in value.split(",")]
    # Any number of leading '!' is accepted (a Placement quirk kept on purpose).
    forbidden = {name.lstrip("!") for name in names if name.startswith("!")}
    if not all(forbidden) or not all(names):
        form = "HW_CPU_X86_VMX,!CUSTOM_MAGIC" if allow_forbidden else "HW_CPU_X86_VMX,CUSTOM_MAGIC"
        raise _bad(
            f"{prefix}Expected 'required' parameter value of the form: {form}. "
            f"Got an empty trait in: {value}"
        )
    required = [{name} for name in names if not name.startswith("!")]
    if forbidden and not allow_forbidden:
        raise _bad(
            f"{prefix}Expected 'required' parameter value of the form: "
            f"HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: {value}"
        )
    return required, forbidden


def parse_traits_flat(value: str, allow_forbidden: bool = False) -> tuple[set[str], set[str]]:
    """A value without ``in:`` -> (required names, forbidden names)."""
    required, forbidden = parse_traits(value, allow_forbidden)
    return {name for any_of in required for name in any_of}, forbidden


def traits_params(req: webob.Request, key: str = "required") -> tuple[list[set[str]], set[str]]:
    """All values of ``key`` (e.g. ``required`` or ``required_NET``) per microversion.

    ``!`` from 1.22; ``in:`` and ANDed repeats from 1.39 (before, the last
    value wins).
    """
    allow_forbidden = microversion.at_least(req, microversion.FORBIDDEN_TRAITS)
    allow_any = microversion.at_least(req, microversion.ANY_TRAITS)
    values = req.GET.getall(key)
    if not allow_any:
        values = values[-1:]
    required: list[set[str]] = []
    forbidden: set[str] = set()
    for value in values:
        req_part, forb_part = parse_traits(value, allow_forbidden, allow_any)
        required += req_part
        forbidden |= forb_part
    return required, forbidden


def parse_member_of(value: str) -> tuple[set[str], set[str]]:
    """One ``member_of`` value -> (any-of aggregate uuids, forbidden uuids)."""
    if "," in value and not (value.startswith("in:") or value.startswith("!in:")):
        raise _bad(
            "Multiple values for 'member_of' must be prefixed with the 'in:' or "
            f"'!in:' keyword using the valid microversion. Got: {value}"
        )
    required: set[str] = set()
    forbidden: set[str] = set()
    if value.startswith("!in:"):
        forbidden = set(value[4:].split(","))
    elif value.startswith("!"):
        forbidden = {value[1:]}
    elif value.startswith("in:"):
        required = set(value[3:].split(","))
    else:
        required = {value}
    for agg in sorted(required | forbidden):
        if not http.is_uuid_like(agg):
            raise _bad(
                "Invalid query string parameters: Expected 'member_of' parameter to "
                f"contain valid UUID(s). Got: {agg}"
            )
    return required, forbidden


def member_of_params(
    req: webob.Request, key: str = "member_of"
) -> tuple[list[set[str]], set[str]]:
    """All values of ``key`` -> (AND-list of any-of uuid sets, forbidden uuids).

    Repeats from 1.24, ``!`` from 1.32.
    """
    suffix = key[len("member_of"):]
    values = req.GET.getall(key)
    if not microversion.at_least(req, microversion.MULTI_MEMBER_OF) and len(values) > 1:
        raise _bad(f"Multiple member_of{suffix} parameters are not supported")
    allow_forbidden = microversion.at_least(req, microversion.FORBIDDEN_AGGREGATES)
    required: list[set[str]] = []
    forbidden: set[str] = set()
    for value in values:
        req_part, forb_part = parse_member_of(value)
        if req_part:
            required.append(req_part)
        if forb_part:
            if not allow_forbidden:
                raise _bad(
                    f"Forbidden member_of{suffix} parameters are not supported in the "
                    "specified microversion"
                )
            forbidden |= forb_part
    return required, forbidden


def parse_in_tree(value: str) -> str:
    """A provider uuid (stripped), or the 400."""
    uuid = value.strip()
    if not http.is_uuid_like(uuid):
        raise _bad(
            "Invalid query string parameters: Expected 'in_tree' parameter to be a "
            f"format of uuid. Got: {value}"
        )
    return uuid


# --- request groups -------------------------------------------------------


@dataclass
class RequestGroup:
    """One group: suffix "" is the unsuffixed (tree-wide) group."""

    suffix: str = ""
    resources: dict[str, int] = field(default_factory=dict)
    #: AND-list of any-of sets of trait names.
    required_traits: list[set[str]] = field(default_factory=list)
    forbidden_traits: set[str] = field(default_factory=set)
    #: AND-list of any-of sets of aggregate uuids.
    member_of: list[set[str]] = field(default_factory=list)
    forbidden_aggs: set[str] = field(default_factory=set)
    in_tree: str | None = None

    @property
    def use_same_provider(self) -> bool:
        return bool(self.suffix)


@dataclass
class RequestWideParams:
    limit: int | None = None
    group_policy: str | None = None
    root_required: set[str] = field(default_factory=set)
    root_forbidden: set[str] = field(default_factory=set)
    #: One set of suffixes per ``same_subtree`` value.
    same_subtrees: list[set[str]] = field(default_factory=list)


def request_wide_params(req: webob.Request) -> RequestWideParams:
    """limit and group_policy (first wins), root_required (once), same_subtree."""
    params = RequestWideParams()
    limits = req.GET.getall("limit")
    if limits:
        params.limit = int(limits[0])
    policies = req.GET.getall("group_policy")
    if policies:
        params.group_policy = policies[0]
    root_required = req.GET.getall("root_required")
    if root_required:
        if len(root_required) > 1:
            raise _bad(
                "Query parameter 'root_required' may be specified only once.",
                errors.ILLEGAL_DUPLICATE_QUERYPARAM,
            )
        required, forbidden = parse_traits_flat(root_required[0], allow_forbidden=True)
        conflicts = forbidden & required
        if conflicts:
            raise _bad(
                "Conflicting required and forbidden traits found in root_required: "
                + ", ".join(sorted(conflicts)),
                errors.QUERYPARAM_BAD_VALUE,
            )
        params.root_required, params.root_forbidden = required, forbidden
    for value in req.GET.getall("same_subtree"):
        suffixes = {part.strip() for part in value.split(",")}
        if "" in suffixes:
            raise _bad(
                "Empty string (unsuffixed group) can not be specified in `same_subtree` ",
                errors.QUERYPARAM_BAD_VALUE,
            )
        params.same_subtrees.append(suffixes)
    return params


def _parse_groups(req: webob.Request) -> dict[str, RequestGroup]:
    """Groups keyed by suffix, in order of first appearance in the query."""
    verbose = microversion.at_least(req, microversion.VERBOSE_SUFFIXES)
    pattern = _KEY_PATTERN_1_33 if verbose else _KEY_PATTERN
    groups: dict[str, RequestGroup] = {}
    for key, value in req.GET.items():
        match = pattern.match(key)
        if not match:
            continue
        kind, suffix = match.group(1), match.group(2) or ""
        group = groups.setdefault(suffix, RequestGroup(suffix=suffix))
        if kind == "resources":
            group.resources = parse_resources(value)
        elif kind == "required":
            group.required_traits, group.forbidden_traits = traits_params(req, key)
        elif kind == "member_of":
            group.member_of, group.forbidden_aggs = member_of_params(req, key)
        else:
            group.in_tree = parse_in_tree(value)
    return groups


def _check_orphans(groups: dict[str, RequestGroup]) -> None:
    """Before 1.36: every group needs resources."""
    orphans = [f"required{s}" for s, g in groups.items() if g.required_traits and not g.resources]
    if orphans:
        raise _bad(
            "All traits parameters must be associated with resources.  Found the "
            "following orphaned traits keys: " + ", ".join(orphans)
        )
    orphans = [
        f"member_of{s}"
        for s, g in groups.items()
        if not g.resources and (g.member_of or g.forbidden_aggs)
    ]
    if orphans:
        raise _bad(
            "All member_of parameters must be associated with resources. Found the "
            "following orphaned member_of keys: " + ", ".join(orphans)
        )
    if not all(g.resources for g in groups.values()):
        raise _bad("All request groups must specify resources.")
    if not groups:
        raise _bad("At least one request group (`resources` or `resources{$S}`) is required.")


def _check_same_subtree(groups: dict[str, RequestGroup], params: RequestWideParams) -> None:
    """From 1.36: resourceless groups must be named in same_subtree."""
    resourceless = sorted(s for s, g in groups.items() if not g.resources)
    if len(resourceless) == len(groups):
        raise _bad(
            "There must be at least one resources or resources[$S] parameter.",
            errors.QUERYPARAM_MISSING_VALUE,
        )
    named = set().union(*params.same_subtrees)
    bad = [s for s in resourceless if s not in named]
    if bad:
        raise _bad(
            "Resourceless suffixed group request should be specified in "
            f"`same_subtree` query param: bad group(s) - {bad}.",
            errors.QUERYPARAM_BAD_VALUE,
        )
    unknown = [s for s in sorted(named) if s not in groups]
    if unknown:
        raise _bad(
            f"Real suffixes should be specified in `same_subtree`: {unknown} not "
            f"found in {list(groups)}.",
            errors.QUERYPARAM_BAD_VALUE,
        )


def _check_conflicts(groups: dict[str, RequestGroup]) -> None:
    """From 1.22: an any-of set made only of forbidden traits is a 400."""
    conflicts = [
        "required{}: ({})".format(s, ", ".join(sorted(any_of)))
        for s, g in groups.items()
        for any_of in g.required_traits
        if all(name in g.forbidden_traits for name in any_of)
    ]
    if conflicts:
        raise _bad(
            "Conflicting required and forbidden traits found in the following traits "
            "keys: " + ", ".join(sorted(conflicts))
        )


def groups_from_request(
    req: webob.Request, params: RequestWideParams
) -> dict[str, RequestGroup]:
    """Parse and validate every request group of the query string."""
    groups = _parse_groups(req)
    if microversion.at_least(req, microversion.SAME_SUBTREE):
        _check_same_subtree(groups, params)
    else:
        _check_orphans(groups)
    if microversion.at_least(req, microversion.FORBIDDEN_TRAITS):
        _check_conflicts(groups)
    return groups


def check_group_policy(groups: dict[str, RequestGroup], params: RequestWideParams) -> None:
    """group_policy is required with more than one suffixed group."""
    if not params.group_policy and sum(1 for g in groups.values() if g.use_same_provider) > 1:
        raise _bad(
            'The "group_policy" parameter is required when specifying more than one '
            '"resources{N}" parameter.'
        )
