"""The report model rendered two ways: a self-contained accessible HTML page (inline CSS and
SVG, no external requests) and a DOCX with real headings, tables and charts as PNG images."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pandas as pd
import vl_convert as vlc
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor
from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.charts import bar_chart, chart_spec
from research.report.document import (
    SUPPRESSED,
    Chart,
    ReportDocument,
    Table,
    markdown_paragraphs,
)

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]), auto_reload=False
)
DRAFT = "DRAFT: not signed off"


def _spec(chart: Chart) -> dict[str, object]:
    data = pd.DataFrame(chart.data, columns=["group", "category", "percent", "count"])
    return chart_spec(bar_chart(data, chart.title, chart.stacked).properties(width=420))


def chart_svg(chart: Chart) -> str:
    return str(vlc.vegalite_to_svg(_spec(chart)))


def chart_png(chart: Chart) -> bytes:
    return bytes(vlc.vegalite_to_png(_spec(chart), scale=2))


def status_line(document: ReportDocument) -> str:
    if document.signed_off:
        return f"Version {document.version}, signed off {document.signed_off_at}"
    return f"{DRAFT} (version {document.version})"


def to_html(document: ReportDocument) -> str:
    template = _ENV.get_template("research/report/document.html")
    svgs = {
        f"{i}-{j}": chart_svg(chart)
        for i, section in enumerate(document.sections)
        for j, chart in enumerate(section.charts)
        if chart.data
    }
    return template.render(
        document=document, svgs=svgs, status=status_line(document), suppressed=SUPPRESSED
    )


def _table(doc: DocxDocument, table: Table) -> None:
    doc.add_paragraph(table.caption, style="Caption")
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for note in table.notes:
        doc.add_paragraph(f"Note: {note}")


def _picture(doc: DocxDocument, png: bytes, alt: str) -> None:
    shape = doc.add_picture(io.BytesIO(png), width=Cm(15))
    shape._inline.docPr.set("descr", alt)  # the image's alt text in Word
    doc.add_paragraph(f"Image description: {alt}", style="Caption")


def to_docx(document: ReportDocument) -> bytes:
    doc = Document()
    doc.core_properties.title = document.title
    doc.add_heading(document.title, level=0)
    doc.add_paragraph(document.consultation)
    status = doc.add_paragraph()
    run = status.add_run(status_line(document))
    run.bold = True
    if not document.signed_off:
        run.font.color.rgb = RGBColor(0xB1, 0x0E, 0x1E)
        # The watermark of a draft: on every page's header too.
        header = doc.sections[0].header.paragraphs[0]
        header.text = DRAFT
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in document.sections:
        doc.add_heading(section.title, level=section.level - 1)
        for style, text in markdown_paragraphs(section.markdown):
            doc.add_paragraph(text, style="List Bullet" if style == "li" else None)
        for paragraph in section.paragraphs:
            doc.add_paragraph(paragraph)
        for chart in section.charts:
            if chart.data:
                _picture(doc, chart_png(chart), chart.alt)
        for table in section.tables:
            _table(doc, table)
        for picture in section.pictures:
            _picture(doc, base64.b64decode(picture.png_base64), picture.alt)
        for quote in section.quotes:
            said = doc.add_paragraph(style="Quote")
            said.add_run(f"\u201c{quote.text}\u201d").font.size = Pt(11)
            doc.add_paragraph(f"\u2014 {quote.attribution}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
