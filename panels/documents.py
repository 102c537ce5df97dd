"""A published report as a Word document (python-docx), from the same sections as the HTML."""

from __future__ import annotations

import io

from docx import Document

from panels.reports import Report

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_docx(report: Report) -> bytes:
    document = Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    for section in report.sections:
        document.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for table in section.tables:
            document.add_paragraph(table.caption, style="Caption")
            grid = document.add_table(rows=1, cols=len(table.columns) + 1)
            grid.style = "Table Grid"
            header = grid.rows[0].cells
            header[0].text = ""
            for cell, column in zip(header[1:], table.columns, strict=True):
                cell.text = column
            for label, values in table.rows:
                cells = grid.add_row().cells
                cells[0].text = label
                for cell, value in zip(cells[1:], values, strict=True):
                    cell.text = value
            for note in table.notes:
                document.add_paragraph(note)
        for item in section.items:
            document.add_paragraph(item, style="List Bullet")
        if not (section.paragraphs or section.tables or section.items):
            document.add_paragraph("None recorded.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
