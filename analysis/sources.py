"""The adapter through which the analysis reads platform data (CSV, XLSX, a ZIP export or a
DataFrame), and the data dictionary that comes with a platform export.

Platform exports have one row per response and one column per export column, after the system
columns ``response_id`` (a pseudonymous id, the same in every export), ``respondent_type``,
``submitted_at`` and ``survey_version``. The CSV download is a ZIP holding ``<name>.csv`` and
``<name>-dictionary.json``; either the ZIP itself or the CSV with its dictionary beside it can
be read. An XLSX export carries the dictionary as its "Dictionary" sheet.

The dictionary lets commands take a question by its key: the levels of a rating in order
(``breakdown``), the three parts of a three-words question (``wordcloud``), the wording of
coded groups. Files without one still work: give the levels and columns by hand.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import AnalysisError

METADATA_COLUMNS = ("response_id", "respondent_type", "submitted_at", "survey_version")
ID_COLUMN = "response_id"
DICTIONARY_SUFFIX = "-dictionary.json"
DICTIONARY_SHEET = "Dictionary"


def load_table(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Load responses from a CSV/XLSX/ZIP path or pass a DataFrame through (copied)."""
    if isinstance(source, pd.DataFrame):
        return source.copy()
    return _with_dates(_read_table(Path(source)))


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    if "submitted_at" in frame.columns:
        frame["submitted_at"] = pd.to_datetime(
            frame["submitted_at"], errors="coerce", utc=True, format="ISO8601"
        )
    return frame


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise AnalysisError(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise AnalysisError(f"{path.name} is empty")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            frame = pd.read_excel(path, dtype=str)
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise AnalysisError(f"cannot read {path.name} as Excel: {exc}") from exc
    elif path.suffix.lower() == ".zip":
        member, content = _zip_member(path, ".csv")
        frame = _read_csv(io.BytesIO(content), f"{path.name}:{member}")
    else:
        frame = _read_csv(path, path.name)
    if frame.empty and len(frame.columns) == 0:
        raise AnalysisError(f"{path.name} is empty")
    frame.attrs["source_name"] = path.name
    return frame


def _zip_member(path: Path, suffix: str) -> tuple[str, bytes]:
    """The one member of a ZIP export ending in ``suffix`` (the CSV, or the dictionary)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.lower().endswith(suffix) and not n.endswith("/")
                and (suffix != ".csv" or not n.endswith(DICTIONARY_SUFFIX))
            ]  # fmt: skip
            if len(names) != 1:
                raise AnalysisError(
                    f"{path.name} should hold one {suffix} file; it holds {len(names)}"
                )
            return names[0], archive.read(names[0])
    except zipfile.BadZipFile as exc:
        raise AnalysisError(f"{path.name} is not a readable ZIP file") from exc


def _read_csv(source: Path | io.BytesIO, name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            source, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
        )
    except UnicodeDecodeError as exc:
        raise AnalysisError(
            f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise AnalysisError(f"{name} is empty") from exc
    except pd.errors.ParserError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise AnalysisError(f"{name} is not valid CSV: {first_line}") from exc


def require_columns(frame: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> None:
    """Raise a one-line error naming the first missing column and the columns present."""
    name = frame.attrs.get("source_name", "the input")
    for column in columns:
        if column not in frame.columns:
            present = ", ".join(str(c) for c in frame.columns)
            raise AnalysisError(f"column '{column}' not found in {name} (columns: {present})")


def text_column(frame: pd.DataFrame, column: str) -> list[str]:
    """The texts of one column, blanks as empty strings."""
    require_columns(frame, [column])
    return ["" if pd.isna(v) else str(v) for v in frame[column].tolist()]


# --- the data dictionary ------------------------------------------------------------------------
@dataclass
class Dictionary:
    """A platform export's data dictionary: what each column holds, by column name."""

    columns: dict[str, dict[str, Any]]
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any, name: str) -> Dictionary:
        if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
            raise AnalysisError(f"{name} is not a platform data dictionary")
        columns = {str(c["name"]): c for c in data["columns"] if isinstance(c, dict)}
        questions = {str(q["key"]): q for q in data.get("questions", []) if isinstance(q, dict)}
        return cls(columns, questions)

    @classmethod
    def from_rows(cls, rows: pd.DataFrame) -> Dictionary:
        """The XLSX "Dictionary" sheet: one row per column, then one per coded value."""
        columns: dict[str, dict[str, Any]] = {}
        for row in rows.fillna("").to_dict("records"):
            name = str(row.get("variable", ""))
            if not name:
                continue
            if name not in columns or row.get("kind"):
                columns.setdefault(name, {"name": name, "values": []}).update(
                    question=row.get("question") or None,
                    kind=row.get("kind") or "",
                    label=row.get("wording") or name,
                )
            if str(row.get("value", "")) != "":
                value = row["value"]
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                columns[name]["values"].append({"value": value, "label": row.get("value_label")})
        return cls(columns)

    def question_columns(self, key: str) -> list[str]:
        return [name for name, c in self.columns.items() if c.get("question") == key]

    def text_parts(self, key: str) -> list[str]:
        """The text columns a question is split over (the three of a three-words question)."""
        parts = [
            name
            for name in self.question_columns(key)
            if self.columns[name].get("kind") == "text" and name != key
        ]
        return parts if len(parts) > 1 else []

    def value_labels(self, column: str) -> dict[str, str]:
        """Code -> wording for a coded column (empty when the column is not coded)."""
        entry = self.columns.get(column, {})
        if entry.get("kind") not in ("code", "system") or not entry.get("values"):
            return {}
        return {str(v["value"]): str(v["label"]) for v in entry["values"]}

    def rating_levels(self, column: str) -> tuple[list[str], list[str]] | None:
        """For a coded rating or choice column: its levels as wording, worst to best for a
        rating (by score; options in their order otherwise), and the answers that sit
        outside the scale ("don't know"). None when the column is not coded."""
        entry = self.columns.get(column, {})
        if entry.get("kind") == "label" and entry.get("label_of"):
            return self.rating_levels(str(entry["label_of"]))
        labels = self.value_labels(column)
        if not labels:
            return None
        score_column = self.columns.get(f"{column}_score", {})
        scores = {str(v["label"]): v["value"] for v in score_column.get("values", [])}
        if not scores:
            return list(labels.values()), []
        rated = sorted(
            (label for label in labels.values() if label in scores), key=lambda label: scores[label]
        )
        outside = [label for label in labels.values() if label not in scores]
        return rated, outside


def load_dictionary(
    source: str | Path | None, explicit: str | Path | None = None
) -> Dictionary | None:
    """The data dictionary of an export: ``explicit`` when given, else the one inside a ZIP,
    the ``<name>-dictionary.json`` beside a CSV, or an XLSX's "Dictionary" sheet."""
    if explicit:
        path = Path(explicit)
        if not path.exists():
            raise AnalysisError(f"file not found: {path}")
        return _dictionary_file(path.read_bytes(), path.name)
    if source is None or isinstance(source, pd.DataFrame):
        return None
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix == ".zip" and path.exists():
        member, content = _zip_member(path, DICTIONARY_SUFFIX)
        return _dictionary_file(content, member)
    if suffix in {".xlsx", ".xlsm"} and path.exists():
        try:
            sheet = pd.read_excel(path, sheet_name=DICTIONARY_SHEET)
        except (ValueError, KeyError):
            return None
        return Dictionary.from_rows(sheet)
    beside = path.with_name(path.stem + DICTIONARY_SUFFIX)
    if beside.exists():
        return _dictionary_file(beside.read_bytes(), beside.name)
    return None


def _dictionary_file(content: bytes, name: str) -> Dictionary:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AnalysisError(f"{name} is not valid JSON") from exc
    return Dictionary.from_json(data, name)


def load_export(
    source: str | Path | pd.DataFrame, dictionary: str | Path | None = None
) -> tuple[pd.DataFrame, Dictionary | None]:
    """Responses and their data dictionary (None for a file without one). A second header row
    of question wording (an export made with "names, then wording") is dropped."""
    if isinstance(source, pd.DataFrame):
        return source.copy(), load_dictionary(None, dictionary)
    frame = _read_table(Path(source))
    found = load_dictionary(source, dictionary)
    if found is not None and len(frame):
        wording = [str(found.columns.get(str(c), {}).get("label", "")) for c in frame.columns]
        first = ["" if pd.isna(v) else str(v) for v in frame.iloc[0].tolist()]
        if first == wording:
            frame = frame.iloc[1:].reset_index(drop=True)
    return _with_dates(frame), found


def with_question_text(
    frame: pd.DataFrame, column: str, dictionary: Dictionary | None
) -> pd.DataFrame:
    """When ``column`` names a question split over several text columns (a three-words
    question's ``<key>_1``..``<key>_3``), add a column of that name joining all its parts, one
    response per row. Anything else is returned as it is."""
    if column in frame.columns:
        return frame
    parts = dictionary.text_parts(column) if dictionary else []
    if not parts:
        parts = [c for c in frame.columns if str(c).startswith(f"{column}_") and str(c)[len(column) + 1 :].isdigit()]  # fmt: skip
    parts = [p for p in parts if p in frame.columns]
    if not parts:
        return frame
    joined = frame[parts].apply(
        lambda row: " ".join(str(v).strip() for v in row if not pd.isna(v) and str(v).strip()),
        axis=1,
    )
    out = frame.copy()
    out[column] = joined.where(joined != "") if len(joined) else pd.Series(dtype=str)
    return out
