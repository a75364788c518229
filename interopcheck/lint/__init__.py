"""``interopcheck lint``: the API-SIG rules on OpenAPI 3.0/3.1 documents.

Pipeline: :mod:`.loader` (YAML/JSON, multi-file ``$ref``, locations) -> :mod:`.sources`
(Operation/Parameter/Schema/ApiDocument targets, ``x-openstack`` microversion bounds) ->
:func:`interopcheck.rules.evaluate` -> :mod:`.engine` (locate, suppress, sort) ->
:mod:`.render` (text, json, sarif, junit, github). :mod:`.spec_diff` compares two documents
(``--baseline``); :mod:`.config` reads ``.interopcheck.yaml``, ignore files and inline
``x-interopcheck-ignore``. Command line: :mod:`.cli` (``interopcheck lint``).
"""

from __future__ import annotations

from interopcheck.lint.config import LintConfig, load_config
from interopcheck.lint.engine import LintResult, lint
from interopcheck.lint.loader import Loader, LoadError

__all__ = ["LintConfig", "LintResult", "LoadError", "Loader", "lint", "load_config"]
