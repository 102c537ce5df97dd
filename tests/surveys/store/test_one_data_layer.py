"""Every query of survey data is under ``surveys/store/`` (issue 11), checked from the source.

What the check enforces, for every module of the application's packages (``consult``,
``surveys``, ``research``, ``panels``, ``analysis`` and ``app.py``) outside the data layer:

1. **No runtime use of a survey table's model class.** The survey tables are the tables of the
   classes ``surveys/models.py`` maps (found by import, so a new survey table is covered when it
   is added). A module may name such a class in a type annotation (a dataclass field, a
   parameter, a return type): that builds nothing. Any other use (``select(Response)``,
   ``db.get(Response, ...)``, ``Response.__table__``, ``Response.id == ...``, a join, building a
   row) is how a query of survey data is written with SQLAlchemy, and is reported. Both
   ``from surveys.models import Response [as R]`` and ``import surveys.models as m`` /
   ``m.Response`` are followed.
2. **No SQL text naming a survey table**: a string literal with ``FROM``, ``JOIN``, ``INTO``,
   ``UPDATE`` or ``TABLE`` followed by a survey table's name.
3. **No reaching a survey table by name**: ``Table("survey_response", ...)`` or
   ``metadata.tables["survey_response"]``.

Allowed: ``surveys/store/`` itself, ``surveys/models.py`` (the mapping) and
``consult/migrations/`` (migrations are the only source of tables). A research table's
``ForeignKey("survey_response.id")`` is a table definition, not a query, and passes. Tests and
``bench/`` are outside the application and are not checked. The checker is proven on small
sources below, so a checker that stopped finding anything would fail too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import surveys.models

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("consult", "surveys", "research", "panels", "analysis")
ALLOWED = ("surveys/store/", "surveys/models.py", "consult/migrations/")

SURVEY_MODELS = frozenset(
    name
    for name, value in vars(surveys.models).items()
    if isinstance(value, type)
    and value.__module__ == surveys.models.__name__
    and hasattr(value, "__table__")
)
SURVEY_TABLES = frozenset(getattr(surveys.models, name).__tablename__ for name in SURVEY_MODELS)
SQL_NAMING_A_TABLE = re.compile(
    r"\b(?:from|join|into|update|table)\s+[\"`]?(" + "|".join(sorted(SURVEY_TABLES)) + r")\b",
    re.IGNORECASE,
)


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """Ids of every node inside a type annotation."""
    roots: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            roots += [a.annotation for a in every if a.annotation is not None]
            if node.returns is not None:
                roots.append(node.returns)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def survey_queries(source: str) -> list[str]:
    """What in ``source`` reaches a survey table outside the data layer: ``line: what``."""
    tree = ast.parse(source)
    classes: dict[str, str] = {}  # local name -> survey model class
    modules: set[str] = set()  # local names of the surveys.models module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "surveys.models":
            for alias in node.names:
                if alias.name in SURVEY_MODELS:
                    classes[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "surveys":
            modules.update(a.asname or a.name for a in node.names if a.name == "models")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "surveys.models":
                    modules.add(alias.asname or "surveys.models")
    in_annotation = _annotation_nodes(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in in_annotation:
            continue
        if isinstance(node, ast.Name) and node.id in classes:
            found.append((node.lineno, f"uses {classes[node.id]}"))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in SURVEY_MODELS
            and ast.unparse(node.value) in modules
        ):
            found.append((node.lineno, f"uses {node.attr}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if match := SQL_NAMING_A_TABLE.search(node.value):
                found.append((node.lineno, f"SQL naming {match.group(1)}"))
        elif isinstance(node, ast.Subscript) and _names_table(node.slice):
            found.append((node.lineno, f"looks up {ast.unparse(node.slice)}"))
        elif isinstance(node, ast.Call) and _is_table_by_name(node):
            found.append((node.lineno, f"Table({ast.unparse(node.args[0])})"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def _names_table(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in SURVEY_TABLES


def _is_table_by_name(call: ast.Call) -> bool:
    """``Table("survey_response", ...)`` (also ``sqlalchemy.Table``)."""
    return (
        ast.unparse(call.func).split(".")[-1] == "Table"
        and bool(call.args)
        and _names_table(call.args[0])
    )


def _application_modules() -> list[Path]:
    paths = [ROOT / "app.py"]
    for package in PACKAGES:
        paths += sorted((ROOT / package).rglob("*.py"))
    return [p for p in paths if not p.relative_to(ROOT).as_posix().startswith(ALLOWED)]


def test_no_module_outside_the_survey_store_queries_survey_tables() -> None:
    modules = _application_modules()
    assert len(modules) > 100  # the walk found the packages
    outside = {
        path.relative_to(ROOT).as_posix(): found
        for path in modules
        if (found := survey_queries(path.read_text(encoding="utf-8")))
    }
    assert outside == {}, "Move these survey-data queries into surveys/store/"


def test_the_check_knows_every_survey_table() -> None:
    assert {"survey", "survey_version", "survey_draft", "survey_response"} <= SURVEY_TABLES


def test_the_check_reports_each_way_of_querying_a_survey_table() -> None:
    source = """
from sqlalchemy import Table, select, text
from surveys.models import Response as Row
import surveys.models as m
from surveys import models

async def page(db):
    await db.get(Row, 1)
    select(m.SurveyVersion)
    select(models.Draft.id)
    text("SELECT answers FROM survey_response WHERE id = :id")
    metadata.tables["survey_draft"]
    Table("survey_version", metadata, autoload_with=engine)
"""
    found = survey_queries(source)
    assert [line.split(":")[0] for line in found] == ["8", "9", "10", "11", "12", "13"]


def test_the_check_lets_annotations_and_table_definitions_pass() -> None:
    source = """
from dataclasses import dataclass
from sqlalchemy import ForeignKey
from surveys.models import Response, SurveyVersion

@dataclass
class Visit:
    version: SurveyVersion

def shown(response: Response, *rows: Response) -> list[SurveyVersion]:
    return []

response_id = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
label = "survey_version"
"""
    assert survey_queries(source) == []
