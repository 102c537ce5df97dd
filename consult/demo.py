"""The demo consultation, modelled on the Warwickshire VAWG Call for Evidence (2022-23).

Its public title and web address are neutral; the support directory is the strategy's
"How to get help" section. Other packages add to the demo through the `consult.demo` entry point.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from consult import audit
from consult.accounts.models import User
from consult.accounts.service import UserService
from consult.consultations.models import Consultation, Status, SupportService
from consult.permissions import Role

DEMO_ADMIN_EMAIL = "admin@example.org"
DEMO_ADMIN_PASSWORD = "demo-staff-password-2026"  # noqa: S105 - printed for the local demo only
DEMO_SLUG = "community-survey"

RESPONDENT_TYPES = [
    {"value": "victim_survivor", "label": "I have experienced this myself"},
    {"value": "on_behalf", "label": "I am answering on behalf of someone who has"},
    {"value": "professional", "label": "I am answering as a professional"},
    {"value": "public", "label": "I am a member of the public"},
]
AREAS = ["North Warwickshire", "Nuneaton and Bedworth", "Rugby", "Warwick", "Stratford-on-Avon"]

SUPPORT_DIRECTORY = [
    ("Refuge - Warwickshire Domestic Violence Service", "Support for women, men and children experiencing domestic abuse in Warwickshire, including refuge.", "0800 408 1552", "", "https://refuge.org.uk/i-need-help-now/refuge-domestic-violence-service-warwickshire/"),
    ("Listening Ear - DiAmond Counselling and Therapy Service", "Free, trauma-informed counselling for people supported by the Warwickshire domestic abuse service.", "01514 886 648", "", "https://listening-ear.co.uk/diamond/warwickshire/"),
    ("Domestic Abuse Counselling Service", "Free one-to-one therapy across Warwickshire.", "02476 351 137", "", "https://dacservice.org.uk/"),
    ("Family Intervention Counselling Service", "Counselling for families and individuals in Warwickshire.", "01926 429628", "", "https://www.interventionservice.co.uk/"),
    ("Galop", "Advice and support for LGBT+ people.", "0800 999 5428", "", "https://www.galop.org.uk/"),
    ("Mankind", "Confidential helpline for men, and for friends, family and colleagues.", "01823 334 244", "", "https://www.mankind.org.uk/"),
    ("Respect Phoneline", "For people worried about their own behaviour towards a partner.", "0808 802 4040", "", "https://respectphoneline.org.uk/"),
    ("Rights of Women", "Legal advice lines for women.", "020 7251 6577", "", "https://rightsofwomen.org.uk/"),
    ("RoSA", "Free confidential support in Warwickshire after rape, sexual abuse or sexual violence.", "01788 551151", "", "https://www.rosasupport.org/"),
    ("Safeline", "Support across Warwickshire for survivors of rape and sexual abuse.", "01926 402498", "07860 027573", "https://www.safeline.org.uk/"),
    ("The Blue Sky Centre", "Medical care and support after rape or sexual assault, whether or not you report it.", "01926 507805", "", "https://blueskycentre.org.uk/"),
    ("Something's Not Right (Barnardo's)", "Advice and links to support about child sexual exploitation.", "01926 684 490", "", "https://www.somethingsnotright.co.uk/"),
]  # fmt: skip


async def is_empty(db: AsyncSession) -> bool:
    return int(await db.scalar(select(func.count()).select_from(Consultation)) or 0) == 0


async def load(db: AsyncSession) -> Consultation:
    """Create the demo staff account and the open demo consultation; return the consultation."""
    users = UserService(session=db)
    admin = await users.find_by_email(DEMO_ADMIN_EMAIL)
    if admin is None:
        admin = await users.create_user(
            email=DEMO_ADMIN_EMAIL,
            name="Demo administrator",
            role=Role.ADMINISTRATOR.value,
            password=DEMO_ADMIN_PASSWORD,
        )
    existing = await db.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
    if existing is not None:
        return existing
    today = datetime.now(UTC)
    consultation = Consultation(
        slug=DEMO_SLUG,
        title="Warwickshire VAWG Strategy Call for Evidence (demo)",
        public_title="Warwickshire community survey",
        summary=(
            "Warwickshire's partnership of councils, health services, the police and charities is "
            "writing its strategy for the safety of women and girls. We want to hear from people "
            "with lived experience, people answering on their behalf, professionals and members of "
            "the public about what works, what does not, and what more could be done."
        ),
        status=Status.DRAFT.value,
        closes_at=today + timedelta(days=90),
        analysis_cutoff=(today + timedelta(days=104)).date(),
        controller="Warwickshire County Council (demo)",
        article6_basis="Article 6(1)(e): public task",
        article9_condition="Article 9(2)(g): substantial public interest (DPA 2018 Sch.1 para 6)",
        retention_days=730,
        dpia_reference="DEMO-DPIA-0001",
        exit_url="https://www.bbc.co.uk/weather",
        respondent_types=RESPONDENT_TYPES,
        areas=AREAS,
    )
    review = date.today() + timedelta(days=180)
    consultation.support_services = [
        SupportService(
            position=i,
            name=name,
            helps_with=helps,
            phone=phone,
            text=text,
            web=web,
            review_date=review,
        )
        for i, (name, helps, phone, text, web) in enumerate(SUPPORT_DIRECTORY)
    ]
    db.add(consultation)
    await db.flush()
    consultation.status = Status.OPEN.value
    consultation.opens_at = today
    audit.record(
        db, "demo_loaded", actor=admin, object_type="consultation", object_id=consultation.id
    )
    return consultation


async def demo_admin(db: AsyncSession) -> User | None:
    return await UserService(session=db).find_by_email(DEMO_ADMIN_EMAIL)
