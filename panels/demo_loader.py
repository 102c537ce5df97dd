"""Demo scrutiny panels (``consult.demo`` entry point): a VAWG panel and a RASSO panel with
members (one whose vetting has expired), meetings, three synthetic cases (no real people; phone
numbers from Ofcom's drama range), scores from several members, one consensus, a
recommendation at each status and a published "You said, we did" page.

The accounts and their password are listed in the README; each enrols its own authenticator
on first sign-in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from consult.accounts.models import User
from consult.accounts.service import UserService
from panels import material
from panels.models import (
    Case,
    Consensus,
    Meeting,
    Membership,
    Panel,
    Recommendation,
    Review,
    Score,
    Theme,
)
from panels.reports import publish_panel
from panels.scales import default_due_date

DEMO_PANEL_PASSWORD = "demo-panel-password-2026"  # noqa: S105 - documented for the local demo
# email -> (name, platform role)
DEMO_ACCOUNTS = {
    "coordinator@example.org": ("Demo panel coordinator", "panel_coordinator"),
    "chair@example.org": ("Demo chair", "panel_member"),
    "member1@example.org": ("Demo member one", "panel_member"),
    "member2@example.org": ("Demo member two", "panel_member"),
    "member3@example.org": ("Demo member three", "panel_member"),
    "liaison@example.org": ("Demo force liaison", "force_liaison"),
}
VAWG_CRITERIA = [
    {"key": "c1", "label": "Initial response", "group": ""},
    {"key": "c2", "label": "Risk assessment", "group": "Safeguarding"},
    {"key": "c3", "label": "Referral to support services", "group": "Safeguarding"},
    {"key": "c4", "label": "Keeping the victim informed", "group": ""},
    {"key": "c5", "label": "Decision and outcome", "group": ""},
]
RASSO_CRITERIA = [
    {"key": "c1", "label": "First account and early evidence", "group": "Investigation"},
    {"key": "c2", "label": "Pace of the investigation", "group": "Investigation"},
    {"key": "c3", "label": "Support and updates to the victim", "group": "Victim care"},
    {"key": "c4", "label": "Charging decision and its explanation", "group": ""},
]
CASE_ONE = (
    "Call handler logged the report at 21:10. The caller, Alex Example, said her ex-partner "
    "had sent repeated messages and waited outside her workplace. Officers attended within "
    "40 minutes. A risk assessment was completed and graded medium.\f"
    "The officer in the case phoned Alex on 07700 900481 twice in the first week. A referral "
    "to the local domestic abuse service was offered but not recorded as made. The suspect "
    "was interviewed voluntarily; the case was closed with a caution after six months."
)
CASE_TWO = (
    "Report made online. The victim described unwanted contact from a neighbour over three "
    "months. Officers took a statement from Sam Sample at home and gave advice. No risk "
    "assessment is on file. The case closed with no further action; the letter explaining "
    "the decision was sent four weeks later."
)
CASE_THREE = (
    "Report of a sexual assault made through a sexual assault referral centre. Early "
    "evidence was secured the same day. The investigation took 14 months. Contact with the "
    "victim, Jo Placeholder, was regular in the first three months and then stopped. The "
    "file was passed to the CPS, which decided not to charge; the victim was told by letter."
)


async def _accounts(db: AsyncSession) -> dict[str, User]:
    users = UserService(session=db)
    found: dict[str, User] = {}
    for email, (name, role) in DEMO_ACCOUNTS.items():
        user = await users.find_by_email(email)
        if user is None:
            user = await users.create_user(
                email=email, name=name, role=role, password=DEMO_PANEL_PASSWORD
            )
        found[email.split("@")[0]] = user
    return found


def _member(user: User, role: str, today: date, *, expired: bool = False) -> Membership:
    return Membership(
        user_id=user.id,
        role=role,
        vetting_status="vetted",
        vetting_expires_on=today - timedelta(days=10) if expired else today + timedelta(days=400),
        agreement_signed_on=today - timedelta(days=60),
        agreement_version="1",
        training_completed_on=today - timedelta(days=50),
    )


async def _case(
    db: AsyncSession, panel: Panel, meeting: Meeting, reference: str, text: str, **fields: Any
) -> Case:
    case = Case(
        panel_id=panel.id,
        meeting_id=meeting.id,
        reference=reference,
        material_original=text,
        redaction_spans=await material.find_spans(text),
        **fields,
    )
    case.material_confirmed = material.apply_spans(text, case.redaction_spans)
    now = datetime.now(UTC)
    case.confirmed_at = case.released_at = now
    db.add(case)
    await db.flush()
    return case


def _review(case: Case, user: User, values: list[str], comment: str = "") -> Review:
    review = Review(case_id=case.id, user_id=user.id, concerns=comment)
    review.scores = [
        Score(criterion=f"c{i}", value=value, comment="") for i, value in enumerate(values, 1)
    ]
    return review


async def _vawg(db: AsyncSession, people: dict[str, User], today: date) -> Panel:
    panel = Panel(
        name="Demo VAWG scrutiny panel",
        public_name="Community review group",
        slug="community-review-group",
        panel_type="vawg",
        terms_of_reference=(
            "Review closed cases of violence against women and girls, chosen at random, to learn "
            "what went well and what could be better. The panel is not an appeal."
        ),
        outcome_scale="four_outcomes",
        criteria=VAWG_CRITERIA,
    )
    panel.memberships = [
        _member(people["chair"], "chair", today),
        _member(people["member1"], "member", today),
        _member(people["member2"], "lived_experience", today),
        _member(people["member3"], "partner", today, expired=True),
    ]
    db.add(panel)
    await db.flush()
    earlier = Meeting(panel_id=panel.id, held_on=today - timedelta(days=70), debrief_offered=True)
    current = Meeting(panel_id=panel.id, held_on=today - timedelta(days=2))
    db.add_all([earlier, current])
    await db.flush()
    current.attendance = [str(people[k].id) for k in ("chair", "member1", "member2")]
    bands = {"age": "25_39", "sex": "female", "ethnicity": "white", "disability": "no"}
    one = await _case(
        db, panel, current, "VAWG-001", CASE_ONE, offence_type="Stalking",
        offence_month=f"{today.year - 1}-03", closed_month=f"{today.year - 1}-09",
        outcome="Caution", stages=["Reported by phone", "Risk assessed", "Suspect interviewed"],
        victim_bands=bands, suspect_bands={"age": "40_59", "sex": "male"},
        entitlements={"right_1": "met", "right_4": "partly", "right_6": "not_met"},
    )  # fmt: skip
    two = await _case(
        db, panel, current, "VAWG-002", CASE_TWO, offence_type="Harassment",
        offence_month=f"{today.year - 1}-05", closed_month=f"{today.year - 1}-08",
        outcome="No further action", stages=["Reported online", "Statement taken"],
        victim_bands={"age": "60_plus", "sex": "female"},
        entitlements={"right_3": "met", "right_6": "not_known"},
    )  # fmt: skip
    db.add_all(
        [
            _review(one, people["chair"], ["appropriate", "appropriate", "inappropriate",
                                           "appropriate", "appropriate_observations"]),
            _review(one, people["member1"], ["appropriate", "appropriate_observations",
                                             "inappropriate", "appropriate", "appropriate"],
                    "No record the referral was made."),
            _review(one, people["member2"], ["appropriate", "appropriate", "inappropriate",
                                             "appropriate_observations", "appropriate"]),
            _review(two, people["member1"], ["appropriate_observations", "inappropriate",
                                             "inappropriate", "appropriate", "appropriate"]),
        ]
    )  # fmt: skip
    one.revealed_at = datetime.now(UTC)
    db.add(
        Consensus(
            case_id=one.id,
            outcome="appropriate_observations",
            reasons="A prompt response and a sound risk assessment; the referral to support "
            "was offered but never recorded as made.",
            chair_id=people["chair"].id,
        )
    )
    db.add_all(
        [
            Theme(panel_id=panel.id, case_id=one.id, kind="good_practice", text="Officers attended within the hour."),
            Theme(panel_id=panel.id, case_id=one.id, kind="concern", text="Referrals offered are not recorded as made."),
        ]
    )  # fmt: skip
    _recommendations(db, panel, earlier, current, one, today)
    await db.flush()
    return panel


def _recommendations(
    db: AsyncSession, panel: Panel, earlier: Meeting, current: Meeting, case: Case, today: date
) -> None:
    """One recommendation at each status; the first is overdue."""
    answered = datetime.now(UTC)
    rows = [
        ("Record every referral to support services, and whether the victim took it up.",
         "awaiting", "", earlier),
        ("Send the letter explaining a no-further-action decision within ten working days.",
         "accepted", "Accepted. The template letter is being changed.", earlier),
        ("Complete a risk assessment for every report of stalking or harassment.",
         "partly_accepted", "Accepted for stalking; harassment is triaged first.", earlier),
        ("Give every victim a single named contact for the whole investigation.",
         "not_accepted", "Not accepted: shift patterns make one named officer impossible; a "
         "team inbox with a 48-hour answer is used instead.", earlier),
        ("Train call handlers on recognising stalking behaviour.",
         "in_progress", "Training started; 60 of 90 call handlers done.", earlier),
        ("Publish the panel's findings on the force website.",
         "done", "Done: findings are on the website each quarter.", earlier),
        ("Confirm the referral to support was made in case VAWG-001.",
         "awaiting", "", current),
    ]  # fmt: skip
    for number, (text, status, response, meeting) in enumerate(rows, start=1):
        db.add(
            Recommendation(
                panel_id=panel.id,
                meeting_id=meeting.id,
                case_id=case.id if meeting is current else None,
                number=number,
                text=text,
                owner="Head of Public Protection",
                due_on=default_due_date(meeting.held_on),
                status=status,
                response=response,
                evidence="Minutes of the force's VAWG board." if response else "",
                responded_at=answered if response else None,
            )
        )


async def _rasso(db: AsyncSession, people: dict[str, User], today: date) -> Panel:
    panel = Panel(
        name="Demo RASSO scrutiny panel",
        public_name="Case review group",
        slug="case-review-group",
        panel_type="rasso",
        terms_of_reference="Review closed rape and serious sexual offence cases each quarter.",
        outcome_scale="score9",
        criteria=RASSO_CRITERIA,
    )
    panel.memberships = [
        _member(people["chair"], "chair", today),
        _member(people["member1"], "member", today),
        _member(people["member2"], "lived_experience", today),
    ]
    db.add(panel)
    await db.flush()
    meeting = Meeting(panel_id=panel.id, held_on=today + timedelta(days=5))
    db.add(meeting)
    await db.flush()
    three = await _case(
        db, panel, meeting, "RASSO-001", CASE_THREE, offence_type="Sexual assault",
        offence_month=f"{today.year - 2}-11", closed_month=f"{today.year - 1}-12",
        outcome="No charge (CPS decision)", stages=["Reported via SARC", "Evidence secured",
                                                     "File to CPS", "CPS: no charge"],
        victim_bands={"age": "18_24", "sex": "female", "ethnicity": "asian"},
        entitlements={"right_4": "met", "right_6": "partly", "right_7": "not_met"},
    )  # fmt: skip
    db.add_all(
        [
            _review(three, people["chair"], ["7", "3", "4", "6"]),
            _review(three, people["member2"], ["8", "2", "3", "5"], "Contact stopped."),
        ]
    )
    return panel


async def load(db: AsyncSession, consultation: Any) -> None:
    """Load the demo panels once (loading the demo twice changes nothing)."""
    if await db.scalar(select(Panel).where(Panel.slug == "community-review-group")):
        return
    today = datetime.now(UTC).date()
    people = await _accounts(db)
    vawg = await _vawg(db, people, today)
    await _rasso(db, people, today)
    await publish_panel(db, vawg)
