"""Line and column numbers are correct through $ref, across files, in YAML and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from interopcheck.lint import LintConfig, Loader, lint

ROOT_YAML = """\
openapi: 3.1.0
info:
  title: multi
  version: '1.0'
paths:
  /things:
    get:
      description: list
      responses:
        '200':
          description: ok
          headers:
            Cache-Control:
              schema: {type: string}
          content:
            application/json:
              schema:
                $ref: 'schemas/things.yaml#/Things'
"""

THINGS_YAML = """\
Things:
  type: object
  properties:
    things:
      type: array
      items:
        $ref: '../common.json#/Thing'
"""

COMMON_JSON = """{
  "Thing": {
    "type": "object",
    "properties": {
      "id": {"type": "string"},
      "createdAt": {"type": "string", "format": "date-time"},
      "updated_at": {"type": "string"}
    }
  }
}
"""


def _write(tmp_path: Path) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "openapi.yaml").write_text(ROOT_YAML)
    (tmp_path / "schemas" / "things.yaml").write_text(THINGS_YAML)
    (tmp_path / "common.json").write_text(COMMON_JSON)
    return tmp_path / "openapi.yaml"


def test_findings_point_into_the_referenced_file(tmp_path: Path) -> None:
    result = lint(_write(tmp_path), LintConfig(only={"NAME004", "TIME001"}))
    got = {(v.rule, v.location.file, v.location.line, v.location.column, v.pointer)
           for v in result.violations}
    assert got == {
        ("NAME004", "common.json", 6, 7, "/Thing/properties/createdAt"),
        ("TIME001", "common.json", 7, 7, "/Thing/properties/updated_at"),
    }
    assert set(result.files) == {"openapi.yaml", "schemas/things.yaml", "common.json"}


def test_yaml_location_of_a_key_in_the_second_file(tmp_path: Path) -> None:
    _write(tmp_path)
    loader = Loader()
    root = loader.load(tmp_path / "openapi.yaml")
    src = loader.load(tmp_path / "schemas" / "things.yaml")
    loc = src.location("/Things/properties/things/items")
    assert (loc.line, loc.column, loc.file) == (6, 7, "schemas/things.yaml")
    node = root.node("/paths/~1things/get/responses/200/content/application~1json/schema")
    target = node.deref()
    assert target.source.name == "schemas/things.yaml" and target.pointer == "/Things"


def test_json_locator_minified_and_pretty(tmp_path: Path) -> None:
    data = {"a": {"b": [1, {"c": "x,}{\\\"]"}], "d": None}, "e": {"f": {}}}
    for text in (json.dumps(data), json.dumps(data, indent=3)):
        p = tmp_path / "d.json"
        p.write_text(text)
        src = Loader().load(p)
        for pointer in ("/a/b/1/c", "/a/d", "/e/f", "/e"):
            loc = src.location(pointer)
            key = pointer.rsplit("/", 1)[1]
            lines = text.split("\n")
            assert lines[loc.line - 1][loc.column - 1:].startswith(f'"{key}"'), (pointer, loc)
        loc = src.location("/a/b/1")
        assert text.split("\n")[loc.line - 1][loc.column - 1] == "{"


def test_missing_pointer_falls_back_to_deepest_existing(tmp_path: Path) -> None:
    p = tmp_path / "d.json"
    p.write_text('{\n  "a": {\n    "b": 1\n  }\n}')
    assert Loader().load(p).location("/a/zzz").line == 2


def test_json_locator_mixed_formatting(tmp_path: Path) -> None:
    # pretty-printed, with inline containers, empty ones, tabs and a CRLF-free layout
    text = ('{\n\t"a": {"x": [1, 2], "y": {}},\n\t"b": [],\n\t"c": {\n\t\t"d": [\n\t\t\t{"e": 1}'
            ',\n\t\t\t{\n\t\t\t\t"f": "}\\n]"\n\t\t\t}\n\t\t]\n\t},\n\t"g": 1\n}\n')
    p = tmp_path / "m.json"
    p.write_text(text)
    assert json.loads(text)
    src = Loader().load(p)
    lines = text.split("\n")
    for pointer, expect in (("/a/y", '"y"'), ("/b", '"b"'), ("/c/d/1/f", '"f"'),
                            ("/g", '"g"'), ("/c/d/0", "{")):
        loc = src.location(pointer)
        assert lines[loc.line - 1][loc.column - 1:].startswith(expect), (pointer, loc)


def test_sarif_of_a_multi_file_spec_points_into_each_file(tmp_path: Path) -> None:
    import jsonschema

    from interopcheck.lint.render import FORMATS, RenderOptions

    result = lint(_write(tmp_path), LintConfig(only={"NAME004", "TIME001"}))
    log = json.loads(FORMATS["sarif"](result, RenderOptions()))
    schema = Path(__file__).parents[2] / "data" / "sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator(json.loads(schema.read_text())).validate(log)
    got = set()
    for r in log["runs"][0]["results"]:
        loc = r["locations"][0]["physicalLocation"]
        got.add((r["ruleId"], loc["artifactLocation"]["uri"], loc["region"]["startLine"],
                 loc["region"]["startColumn"]))
    assert got == {("NAME004", "common.json", 6, 7), ("TIME001", "common.json", 7, 7)}


def _all_pointers(value: object, pointer: str = "") -> list[str]:
    out = [pointer]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _all_pointers(v, pointer + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _all_pointers(v, f"{pointer}/{i}")
    return out


@pytest.mark.parametrize("indent", [0, 2])
def test_canonical_json_located_from_serialized_lengths_as_by_scanning(
        tmp_path: Path, indent: int) -> None:
    """A document exactly as orjson/JSON.stringify write it, on one line (Graph's) or
    indented by two (GitHub's), is located without scanning its text: every pointer, the
    missing ones too, gives what the text scanner gives, with non-ASCII characters (columns
    count characters), escapes and empty containers before it, and one more JSON trailing
    newline."""
    from interopcheck.lint.loader import CanonicalJsonLocator, JsonLocator, parse_pointer

    data = {"openapi": "3.0.4", "info": {"title": "Grüße \u2013 \u201cq\u201d \"x\" \\ \n\t/ 😀",
                                          "version": "1"},
            "paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "é"}}}},
                      "/b~c": {}}, "list": [[], {}, [1, 2.5, -3e-07, True, None, "ü"],
                                            {"k": [{"z": "✓"}]}],
            "é": {"ü": [0, {"ñ": None}]}, "last": "日本"}
    # what JSON.stringify(data) and JSON.stringify(data, null, 2) write too
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent else None).decode() + \
        ("\n" if indent else "")
    p = tmp_path / "one.json"
    p.write_text(text, encoding="utf-8")
    src = Loader().load(p)
    assert isinstance(src.locator, CanonicalJsonLocator)
    assert (src.locator.indent, src.data) == (indent, data)
    pointers = [*_all_pointers(data), "/nope", "/paths/~1a~1{id}/put", "/list/9", "/list/x",
                "/list/2/-1", "/last/0", "/list/2/0/x", "/list/2/3/y/z"]
    scanner = JsonLocator(text)
    fresh = CanonicalJsonLocator(text.encode(), data, indent)
    src.prepare_locations(pointers)
    for pointer in pointers:
        tokens = parse_pointer(pointer)
        expect = scanner.locate(tokens)
        got = src.location(pointer)
        assert ((got.line, got.column), fresh.locate(tokens)) == (expect, expect), pointer
        assert indent or got.line == 1
    where = src.location("/é/ü/1/ñ")
    assert text.split("\n")[where.line - 1][where.column - 1:].startswith('"ñ"')


def test_one_line_json_not_as_orjson_writes_it_takes_the_json_path(tmp_path: Path) -> None:
    """A duplicate key (minified or indented), a space, an escaped '/' or another indentation
    and the document is read by json (which reports duplicates: the canonical path could
    not see them)."""
    from interopcheck.lint.loader import JsonLocator

    for text in ('{"a":1,"b":{"c":2,"c":3}}', '{"a": 1}', '{"a":"\\/"}',
                 '{\n  "a": 1,\n  "a": 2\n}\n', '{\n    "a": 1\n}'):
        p = tmp_path / "d.json"
        p.write_text(text)
        loader = Loader()
        src = loader.load(p)
        assert isinstance(src.locator, JsonLocator), text
    p.write_text('{"a":1,"b":{"c":2,"c":3}}')
    loader = Loader()
    loader.load(p)
    assert [(pr.rule, pr.pointer) for pr in loader.problems] == [("OAS002", "/b/c")]


def test_one_line_json_dangling_refs_found_and_located(tmp_path: Path) -> None:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
           "paths": {"/x": {"get": {"responses": {
               "200": {"$ref": "#/components/responses/Nöpe"},
               "404": {"$ref": "#/components/responses/Here"}}}}},
           "components": {"responses": {"Here": {"description": "ok"}}}}
    p = tmp_path / "one.json"
    p.write_bytes(orjson.dumps(doc))
    result = lint(p, LintConfig(only={"OAS003"}))
    assert [(v.rule, v.pointer, v.location.column if v.location else None)
            for v in result.violations] == [
        ("OAS003", "/paths/~1x/get/responses/200/$ref",
         p.read_text().index('"$ref":"#/components/responses/Nö') + 1)]
