"""Reading the coordinator's panel, membership and case forms into plain values."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.datastructures import FormMultiDict

from consult.forms import FormErrors, iso_date, lines, text, whole_number
from consult.neutral import SLUG_PATTERN, neutral_problem
from panels.scales import (
    CHARACTERISTIC_BANDS,
    ENTITLEMENT_STATUSES,
    MEMBER_ROLES,
    PANEL_TYPES,
    SCALES,
    VETTING_STATUSES,
    VICTIMS_CODE_RIGHTS,
)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def choice(
    form: FormMultiDict, name: str, label: str, options: dict[str, str], errors: FormErrors
) -> str:
    value = str(form.get(name, "") or "")
    if value not in options:
        errors.add(name, f"Choose {label.lower()}")
    return value


def read_criteria(form: FormMultiDict, scale: str, errors: FormErrors) -> list[dict[str, str]]:
    """One criterion a line, optionally "Group | Criterion"; a Victims' Code panel with no
    lines scores the twelve rights."""
    criteria: list[dict[str, str]] = []
    for number, line in enumerate(lines(form, "criteria", "Criteria", errors), start=1):
        group, _, label = line.rpartition("|")
        criteria.append({"key": f"c{number}", "label": label.strip(), "group": group.strip()})
    if not criteria and scale == "victims_code":
        criteria = [{"key": k, "label": v, "group": ""} for k, v in VICTIMS_CODE_RIGHTS.items()]
    if not criteria:
        errors.add("criteria", "Enter at least one review criterion")
    return criteria


def criteria_text(criteria: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{c['group']} | {c['label']}" if c.get("group") else c["label"] for c in criteria
    )


def read_panel(form: FormMultiDict, errors: FormErrors) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": text(form, "name", "Name", errors, max_length=200, required=True),
        "public_name": text(form, "public_name", "Public name", errors, max_length=200, required=True),
        "slug": text(form, "slug", "Public web address", errors, max_length=80, required=True).lower(),
        "panel_type": choice(form, "panel_type", "Panel type", PANEL_TYPES, errors),
        "terms_of_reference": text(
            form, "terms_of_reference", "Terms of reference", errors, max_length=20000
        ),
        "outcome_scale": choice(
            form, "outcome_scale", "Outcome scale", {k: s.label for k, s in SCALES.items()}, errors
        ),
        "agreement_version": text(
            form, "agreement_version", "Confidentiality agreement version", errors,
            max_length=40, required=True,
        ),
        "access_days": whole_number(
            form, "access_days", "Days members keep access after a meeting", errors, low=0, high=90
        ),
        "suppression_k": whole_number(
            form, "suppression_k", "Smallest count published", errors, low=5, high=100
        ),
    }  # fmt: skip
    values["criteria"] = read_criteria(form, values["outcome_scale"], errors)
    if values["access_days"] is None:
        errors.add("access_days", "Enter the days members keep access after a meeting")
    if values["suppression_k"] is None:
        values["suppression_k"] = 10
    for field, label in (("public_name", "Public name"), ("slug", "Public web address")):
        problem = neutral_problem(values[field], label)
        if problem:
            errors.add(field, problem)
    if values["slug"] and not SLUG_PATTERN.match(values["slug"]):
        errors.add("slug", "Public web address must be lower-case letters, numbers and hyphens")
    return values


def read_membership(form: FormMultiDict, errors: FormErrors) -> dict[str, Any]:
    return {
        "role": choice(form, "role", "Role on the panel", MEMBER_ROLES, errors),
        "vetting_status": choice(
            form, "vetting_status", "Vetting status", VETTING_STATUSES, errors
        ),
        "vetting_expires_on": iso_date(form, "vetting_expires_on", "Vetting expiry", errors),
        "agreement_signed_on": iso_date(
            form, "agreement_signed_on", "Date agreement signed", errors
        ),
        "agreement_version": text(
            form, "agreement_version", "Agreement version signed", errors, max_length=40
        ),
        "training_completed_on": iso_date(
            form, "training_completed_on", "Training completed", errors
        ),
    }


def read_user_id(form: FormMultiDict, options: set[str], errors: FormErrors) -> uuid.UUID | None:
    raw = str(form.get("user_id", "") or "")
    if raw not in options:
        errors.add("user_id", "Choose a panel member account")
        return None
    return uuid.UUID(raw)


def _month(form: FormMultiDict, name: str, label: str, errors: FormErrors) -> str:
    value = text(form, name, label, errors, max_length=7)
    if value and not MONTH.match(value):
        errors.add(name, f"{label} must be a month and year, like 2026-03")
    return value


def _bands(form: FormMultiDict, prefix: str, errors: FormErrors) -> dict[str, str]:
    bands: dict[str, str] = {}
    for key, (label, options) in CHARACTERISTIC_BANDS.items():
        value = str(form.get(f"{prefix}_{key}", "") or "not_recorded")
        if value not in options:
            errors.add(f"{prefix}_{key}", f"Choose the {label.lower()}")
        bands[key] = value
    return bands


def read_case(form: FormMultiDict, errors: FormErrors) -> dict[str, Any]:
    entitlements: dict[str, str] = {}
    for key in VICTIMS_CODE_RIGHTS:
        value = str(form.get(f"right_{key}", "") or "")
        if value in ENTITLEMENT_STATUSES:
            entitlements[key] = value
        elif value:
            errors.add(f"right_{key}", "Choose whether the right was met")
    return {
        "reference": text(form, "reference", "Case reference", errors, max_length=40, required=True),
        "offence_type": text(form, "offence_type", "Offence type", errors, max_length=200, required=True),
        "offence_month": _month(form, "offence_month", "Month of the offence", errors),
        "closed_month": _month(form, "closed_month", "Month the case closed", errors),
        "outcome": text(form, "outcome", "Outcome and disposal", errors, max_length=300),
        "stages": lines(form, "stages", "Stages and timeline", errors),
        "victim_bands": _bands(form, "victim", errors),
        "suspect_bands": _bands(form, "suspect", errors),
        "entitlements": entitlements,
    }  # fmt: skip
