"""REFI-QDA Codebook Exchange (``.qdc``) import and export.

The standard carries names, hierarchy, descriptions, GUIDs and colours, which is what NVivo,
ATLAS.ti, MAXQDA and QualCoder exchange. Match patterns and examples are ours, so they travel in
the YAML format only; importing a ``.qdc`` gives themes without patterns.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from analysis.codebook import Codebook, Theme
from analysis.errors import AnalysisError

NAMESPACE = "urn:QDA-XML:codebook:1.0"
_NS = {"qdc": NAMESPACE}


def _code_element(parent: ET.Element, theme: Theme, parent_path: str) -> None:
    code = ET.SubElement(
        parent,
        f"{{{NAMESPACE}}}Code",
        {"guid": theme.stable_guid(parent_path), "name": theme.name, "isCodable": "true"},
    )
    if theme.description:
        ET.SubElement(code, f"{{{NAMESPACE}}}Description").text = theme.description
    for child in theme.children:
        _code_element(code, child, f"{parent_path}/{theme.name}")


def codebook_to_qdc(book: Codebook) -> str:
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}CodeBook", {"origin": "consult analysis"})
    codes = ET.SubElement(root, f"{{{NAMESPACE}}}Codes")
    for theme in book.themes:
        _code_element(codes, theme, "")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def write_qdc(book: Codebook, path: str | Path) -> None:
    Path(path).write_text(codebook_to_qdc(book), encoding="utf-8")


def _theme_from_element(element: ET.Element, where: str) -> Theme:
    name = (element.get("name") or "").strip()
    if not name:
        raise AnalysisError(f"{where}: a <Code> has no name")
    guid = element.get("guid")
    if guid is not None:
        try:
            uuid.UUID(guid)
        except ValueError as exc:
            raise AnalysisError(f"{where}: code '{name}' has an invalid guid") from exc
    description = element.find("qdc:Description", _NS)
    return Theme(
        name=name,
        description=(description.text or "").strip() if description is not None else "",
        children=[_theme_from_element(c, where) for c in element.findall("qdc:Code", _NS)],
        guid=guid,
    )


def qdc_to_codebook(text: str, source: str = "codebook") -> Codebook:
    # Entity declarations are the only route to XML bombs in ElementTree; QDC never needs them.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise AnalysisError(f"{source}: DOCTYPE/ENTITY declarations are not allowed in .qdc")
    try:
        root = ET.fromstring(text)  # noqa: S314  (entity declarations rejected above)
    except ET.ParseError as exc:
        raise AnalysisError(f"{source}: not well-formed XML ({exc})") from exc
    if root.tag != f"{{{NAMESPACE}}}CodeBook":
        raise AnalysisError(f'{source}: root element is not <CodeBook xmlns="{NAMESPACE}">')
    codes = root.find("qdc:Codes", _NS)
    if codes is None:
        raise AnalysisError(f"{source}: no <Codes> element")
    themes = [_theme_from_element(c, source) for c in codes.findall("qdc:Code", _NS)]
    if not themes:
        raise AnalysisError(f"{source}: codebook has no codes")
    return Codebook(name=Path(source).stem, themes=themes)


def read_qdc(path: str | Path) -> Codebook:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"codebook {path.name} is not UTF-8 text") from exc
    return qdc_to_codebook(text, f"codebook {path.name}")
