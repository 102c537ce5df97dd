"""The vocabularies of scrutiny panels: panel types, member roles, outcome scales, case
characteristic bands, Victims' Code rights and recommendation statuses.

Pure data and small pure functions; the forms, the reveal and the reports all read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PANEL_TYPES: dict[str, str] = {
    "vawg": "Violence against women and girls",
    "rasso": "Rape and serious sexual offences",
    "out_of_court": "Out-of-court resolutions",
    "other": "Other",
}

MEMBER_ROLES: dict[str, str] = {
    "chair": "Chair",
    "member": "Member",
    "lived_experience": "Lived-experience member",
    "partner": "Partner representative",
}

VETTING_STATUSES: dict[str, str] = {
    "vetted": "Vetted",
    "pending": "Pending",
    "refused": "Not vetted",
}

COULD_NOT_AGREE = "could_not_agree"


@dataclass(frozen=True)
class Scale:
    """An outcome scale: the values a member gives each criterion, in order, with labels."""

    key: str
    label: str
    values: dict[str, str]
    # Values compared as numbers (interval) rather than as categories (nominal).
    numeric: bool = False


SCALES: dict[str, Scale] = {
    "four_outcomes": Scale(
        "four_outcomes",
        "Four outcomes",
        {
            "appropriate": "Appropriate",
            "appropriate_observations": "Appropriate with observations",
            "inappropriate": "Inappropriate",
            COULD_NOT_AGREE: "Panel could not agree",
        },
    ),
    "rag": Scale("rag", "Red, amber, green", {"green": "Green", "amber": "Amber", "red": "Red"}),
    "score9": Scale(
        "score9",
        "Score 1 to 9 (shown as red, amber, green)",
        {str(n): str(n) for n in range(1, 10)},
        numeric=True,
    ),
    "victims_code": Scale(
        "victims_code",
        "Victims' Code rights",
        {"met": "Met", "partly": "Partly met", "not_met": "Not met", "not_known": "Not known"},
    ),
}


def member_values(scale_key: str) -> dict[str, str]:
    """What one member can give a criterion: the scale without "panel could not agree",
    which only the panel as a whole can conclude."""
    return {k: v for k, v in SCALES[scale_key].values.items() if k != COULD_NOT_AGREE}


def rag_of_score(value: str) -> str:
    """A 1-9 score as red (1-3), amber (4-6) or green (7-9)."""
    number = int(value)
    return "red" if number <= 3 else "amber" if number <= 6 else "green"


def value_label(scale_key: str, value: str) -> str:
    scale = SCALES[scale_key]
    label = scale.values.get(value, value)
    if scale_key == "score9" and value in scale.values:
        return f"{label} ({SCALES['rag'].values[rag_of_score(value)]})"
    return label


def consensus_outcomes(scale_key: str) -> dict[str, str]:
    """The outcomes a chair can record: the scale's own for case-level scales, the four
    outcomes otherwise; "panel could not agree" is always one of them."""
    if scale_key in ("four_outcomes", "victims_code"):
        values = dict(SCALES["four_outcomes"].values)
    else:
        values = dict(SCALES["rag"].values)
    values[COULD_NOT_AGREE] = SCALES["four_outcomes"].values[COULD_NOT_AGREE]
    return values


# The Victims' Code's twelve rights (Ministry of Justice, 2020), as criteria and entitlements.
VICTIMS_CODE_RIGHTS: dict[str, str] = {
    "right_1": "1. To understand and be understood",
    "right_2": "2. To have the crime recorded without unjustified delay",
    "right_3": "3. To be provided with information when reporting the crime",
    "right_4": "4. To be referred to services that support victims",
    "right_5": "5. To be provided with information about compensation",
    "right_6": "6. To be provided with information about the investigation and prosecution",
    "right_7": "7. To make a Victim Personal Statement",
    "right_8": "8. To be given information about the trial, trial process and your role",
    "right_9": "9. To be given information about the offender following a conviction",
    "right_10": "10. To be paid expenses and have property returned",
    "right_11": "11. To be given information about the offender's release",
    "right_12": "12. To make a complaint about your rights not being met",
}

ENTITLEMENT_STATUSES = SCALES["victims_code"].values

# Characteristics are recorded in bands only, never exact values.
CHARACTERISTIC_BANDS: dict[str, tuple[str, dict[str, str]]] = {
    "age": (
        "Age band",
        {
            "under_18": "Under 18",
            "18_24": "18 to 24",
            "25_39": "25 to 39",
            "40_59": "40 to 59",
            "60_plus": "60 and over",
            "not_recorded": "Not recorded",
        },
    ),
    "sex": (
        "Sex",
        {"female": "Female", "male": "Male", "not_recorded": "Not recorded"},
    ),
    "ethnicity": (
        "Ethnic group",
        {
            "asian": "Asian or Asian British",
            "black": "Black, Black British, Caribbean or African",
            "mixed": "Mixed or multiple ethnic groups",
            "white": "White",
            "other": "Other ethnic group",
            "not_recorded": "Not recorded",
        },
    ),
    "disability": (
        "Disability",
        {"yes": "Disabled", "no": "Not disabled", "not_recorded": "Not recorded"},
    ),
}

RECOMMENDATION_STATUSES: dict[str, str] = {
    "awaiting": "Awaiting response",
    "accepted": "Accepted",
    "partly_accepted": "Partly accepted",
    "not_accepted": "Not accepted",
    "in_progress": "In progress",
    "done": "Done",
}
# A status the force sets when it answers; "awaiting" is only ever the starting state.
RESPONSE_STATUSES = {k: v for k, v in RECOMMENDATION_STATUSES.items() if k != "awaiting"}
RESPONSE_DAYS = 56  # Victims and Prisoners Act 2024: answers within 56 days

THEME_KINDS: dict[str, str] = {"good_practice": "Good practice", "concern": "Concern"}


def default_due_date(meeting_day: date) -> date:
    return meeting_day + timedelta(days=RESPONSE_DAYS)


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """Overdue: the force has not answered by the due date."""
    return status == "awaiting" and due_on is not None and due_on < today
