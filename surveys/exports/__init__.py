"""Response exports as a library: the column layout shared by every format, the data
dictionary, batched reading of responses, and the CSV (zipped with its dictionary), XLSX and
SPSS writers. Usable without the web app (the analysis reads the same CSV and dictionary: one
row per response, one column per export column, after ``response_id``, ``respondent_type``,
``submitted_at`` and ``survey_version``).
"""

from surveys.exports.layout import (
    METADATA_COLUMNS,
    ExportLayout,
    LayoutColumn,
    data_dictionary,
)
from surveys.exports.reading import ResponseRow, count_responses, layout_for, read_rows
from surveys.exports.spss import write_sav
from surveys.exports.tables import (
    HEADER_MODES,
    csv_chunks,
    dictionary_rows,
    header_rows,
    neutralise,
    write_csv,
    write_xlsx,
    zip_chunks,
)

__all__ = [
    "HEADER_MODES",
    "METADATA_COLUMNS",
    "ExportLayout",
    "LayoutColumn",
    "ResponseRow",
    "count_responses",
    "csv_chunks",
    "data_dictionary",
    "dictionary_rows",
    "header_rows",
    "layout_for",
    "neutralise",
    "read_rows",
    "write_csv",
    "write_sav",
    "write_xlsx",
    "zip_chunks",
]
