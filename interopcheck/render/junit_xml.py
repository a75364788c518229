"""The one JUnit XML writer: ``<testsuites>``/``<testsuite>``/``<testcase>`` elements, the
counts, and text that XML 1.0 can carry.

The diff report (:mod:`interopcheck.render.junit`) and lint (:mod:`interopcheck.lint.render.junit`)
decide what a test case is; this module builds the document. Every attribute and text goes
through :func:`xml_text`: characters XML 1.0 cannot carry at all, not even escaped (control
characters such as ``\\x01`` in a spec key, lone surrogates), become U+FFFD, so the
document always parses. ElementTree is enough here (no schema, no namespaces).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

__all__ = ["COUNTS", "case", "document", "suite", "xml_text"]

# Characters XML 1.0 cannot carry at all (not even escaped): replaced by U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The counters of a suite and of the whole document.
COUNTS = ("tests", "failures", "errors", "skipped")


def xml_text(text: object) -> str:
    """``text`` as a string XML 1.0 can carry."""
    return _NOT_XML.sub("\ufffd", str(text))


def _element(parent: ET.Element | None, tag: str, attributes: dict[str, object]) -> ET.Element:
    attrib = {k: xml_text(v) for k, v in attributes.items() if v is not None}
    if parent is None:
        return ET.Element(tag, attrib)
    return ET.SubElement(parent, tag, attrib)


def suite(parent: ET.Element, name: str, **attributes: object) -> ET.Element:
    """A ``<testsuite>`` under ``parent``."""
    return _element(parent, "testsuite", {"name": name, **attributes})


def case(parent: ET.Element, classname: str, name: str, *, outcome: str | None = None,
         message: str | None = None, kind: str | None = None, text: str | None = None,
         **attributes: object) -> ET.Element:
    """A ``<testcase>``; ``outcome`` is ``failure``, ``error``, ``skipped``, ``system-out``
    or None (a plain pass), with its ``message``, ``type`` (``kind``) and ``text``."""
    element = _element(parent, "testcase", {"classname": classname, "name": name,
                                            **attributes})
    if outcome is not None:
        child = _element(element, outcome, {"message": message, "type": kind})
        if text is not None:
            child.text = xml_text(text)
    return element


def count(element: ET.Element, tally: dict[str, int], keys: tuple[str, ...] = COUNTS) -> None:
    """Set the counters ``keys`` of ``element`` from ``tally``."""
    for key in keys:
        element.set(key, str(tally.get(key, 0)))


def document(root: ET.Element, *, indent: bool = True) -> str:
    """The XML text (UTF-8 declaration, trailing newline)."""
    if indent:
        ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"


def root(name: str, **attributes: object) -> ET.Element:
    """The ``<testsuites>`` element."""
    return _element(None, "testsuites", {"name": name, **attributes})
