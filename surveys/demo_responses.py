"""Generated responses for the demo consultation: the mix of the original Call for Evidence
(184 victim-survivors, 26 on behalf of someone, 51 members of the public, 243 professionals,
scaled to about 620), with ratings, demographics and free text assembled from phrase banks
written for the demo (no real people's names). A fixed seed makes every load the same.

Answers follow the demo survey's routing: each type answers only its own sections, and every
question is sometimes skipped, as real respondents do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from surveys.definition import Survey
from surveys.definition.questions.choice import MultipleChoice, SingleChoice
from surveys.definition.questions.rating import Rating, RatingGrid
from surveys.store.bulk import NewResponse

SEED = 2023
MIX = {"victim_survivor": 184, "on_behalf": 26, "public": 51, "professional": 243}
DEMO_TOTAL = 620
SKIP = 0.12  # how often any one question is left blank

FELT_THEN = [
    "scared",
    "confused",
    "alone",
    "ashamed",
    "numb",
    "shocked",
    "angry",
    "frightened",
    "worthless",
    "trapped",
    "isolated",
    "embarrassed",
    "guilty",
    "helpless",
    "anxious",
    "upset",
    "hurt",
    "powerless",
    "lost",
    "betrayed",
]
FEEL_NOW = [
    "stronger",
    "safer",
    "hopeful",
    "angry",
    "healing",
    "relieved",
    "free",
    "cautious",
    "tired",
    "anxious",
    "proud",
    "supported",
    "calmer",
    "determined",
    "wary",
    "sad",
    "grateful",
    "independent",
    "believed",
    "better",
]
HELPER_THEN = [
    "worried",
    "helpless",
    "shocked",
    "angry",
    "upset",
    "frightened",
    "protective",
    "confused",
    "guilty",
    "sad",
]
HELPER_NOW = [
    "relieved",
    "hopeful",
    "tired",
    "proud",
    "angry",
    "cautious",
    "supported",
    "worried",
    "grateful",
    "calmer",
]

PREVENTION_OPENINGS = [
    "More needs to be done on",
    "The priority should be",
    "Please invest in",
    "We need",
    "It would really help to have",
    "Nothing will change without",
]
PREVENTION_MEASURES = [
    "education in schools about healthy relationships and consent",
    "training for police officers on coercive control",
    "quicker court cases so survivors are not left waiting",
    "more refuge spaces, especially for women with older sons",
    "awareness campaigns so people recognise abuse early",
    "specialist support for children who witness abuse",
    "longer funding for counselling services",
    "better lighting and safer transport at night",
    "believing victims the first time they speak up",
    "holding perpetrators to account and monitoring repeat offenders",
    "support workers who speak community languages",
    "GPs asking about abuse in a private room",
]
PREVENTION_REASONS = [
    "because many people do not know it is abuse until it is too late.",
    "so that nobody has to wait months for help.",
    "as the waiting lists were the hardest part for me.",
    "because friends and family often notice first but do not know what to do.",
    "so that the person causing harm is the one who has to change.",
    "because support stopped as soon as the case closed.",
]
PROFESSIONAL_REASONS = [
    "Partnership working has improved but information sharing is still slow.",
    "Too many cases are dropped before they reach court.",
    "Perpetrator programmes have long waiting lists in our area.",
    "Officers are more aware of coercive control than a few years ago.",
    "Bail conditions are not monitored closely enough.",
    "Victims tell us they feel the process is about the offender, not them.",
    "Multi-agency meetings work well when everyone attends.",
    "Stalking protection orders are rarely applied for.",
]
PROFESSIONAL_ADDITIONS = [
    "Funding is short term, so good staff leave.",
    "Training is patchy across agencies.",
    "",
    "We need a single point of contact for referrals.",
    "Rural areas are much worse served.",
]
PUBLIC_HELP = [
    "Better street lighting on the way home from the station",
    "More staff visible on buses and trains late at night",
    "Taxi ranks that are staffed and well lit",
    "Safe places to go in the town centre if you feel followed",
    "Cameras that actually work in the underpass",
    "Police patrols in the park in the evening",
    "Bystander training for bar and club staff",
    "A way to report harassment that gets a response",
]
# Satisfaction leans by service, so breakdowns show differences worth finding.
SERVICE_LEAN = {"police": -0.6, "courts_cps": -0.8, "social_services": -0.4, "idva": 0.8,
                "isva": 0.6, "refuge": 0.7, "helpline": 0.5, "counselling": 0.6,
                "health_gp": 0.0, "sarc": 0.4, "housing": -0.5}  # fmt: skip


def _scale_choice(rng: random.Random, question: Rating, lean: float) -> str:
    """A scale value (listed best first); ``lean`` > 0 moves answers toward the best."""
    codes = [option.value for option in question.scale]
    centre = (len(codes) - 1) / 2 - lean * 1.5
    index = min(len(codes) - 1, max(0, round(rng.gauss(centre, 1.1))))
    if question.dont_know_label and rng.random() < 0.07:
        return "dont_know"
    return codes[index]


def _three(rng: random.Random, bank: list[str]) -> list[str]:
    words = rng.sample(bank, 3)
    if rng.random() < 0.15:
        words[2] = ""
    return words


def _text(rng: random.Random, respondent_type: str, key: str) -> str:
    if key == "prevention":
        sentences = [
            f"{rng.choice(PREVENTION_OPENINGS)} {rng.choice(PREVENTION_MEASURES)} "
            f"{rng.choice(PREVENTION_REASONS)}"
            for _ in range(rng.choice((1, 1, 2)))
        ]
        return " ".join(sentences)
    if key == "pursuing_perpetrators_reasons":
        return f"{rng.choice(PROFESSIONAL_REASONS)} {rng.choice(PROFESSIONAL_ADDITIONS)}".strip()
    return f"{rng.choice(PUBLIC_HELP)}. {rng.choice(PUBLIC_HELP)}."


def _choice(rng: random.Random, question: SingleChoice, age_lean: int) -> str:
    options = [option.value for option in question.all_options]
    if question.key == "age_band":
        return options[min(len(options) - 1, max(0, round(rng.gauss(2.5 + age_lean, 1.3))))]
    if question.key == "sex":
        return rng.choices(options, weights=[8, 2, 1][: len(options)])[0]
    weights = [3 if i == 0 else 1 for i in range(len(options))]
    if "prefer_not_to_say" in options:
        weights[options.index("prefer_not_to_say")] = 0.3  # type: ignore[call-overload]
    return rng.choices(options, weights=weights)[0]


def _answer(
    rng: random.Random, survey: Survey, question: Any, respondent_type: str, lean: float
) -> Any:
    if isinstance(question, RatingGrid):
        used = rng.sample([row.value for row in question.rows], rng.randint(2, 5))
        return {
            row: _scale_choice(rng, question, lean + SERVICE_LEAN.get(row, 0.0)) for row in used
        }
    if isinstance(question, Rating):
        return _scale_choice(rng, question, lean)
    if isinstance(question, MultipleChoice):
        codes = [option.value for option in question.options]
        picked = rng.sample(codes, rng.randint(1, min(4, len(codes))))
        return {"selected": [code for code in codes if code in picked]}
    if isinstance(question, SingleChoice):
        return _choice(rng, question, 1 if respondent_type == "professional" else 0)
    if question.type_name == "three_words":
        helper = respondent_type == "on_behalf"
        if question.key == "words_then":
            return _three(rng, HELPER_THEN if helper else FELT_THEN)
        return _three(rng, HELPER_NOW if helper else FEEL_NOW)
    if question.type_name in ("long_text", "short_text"):
        return _text(rng, respondent_type, question.key)
    return None


def answers_for(rng: random.Random, survey: Survey, respondent_type: str) -> dict[str, Any]:
    """One respondent's answers to every question routed to their type."""
    answers: dict[str, Any] = {"consent": "yes", "respondent_type": respondent_type}
    lean = rng.gauss(0, 0.6)  # a respondent's own mood shifts all their ratings a little
    for section in survey.sections:
        if section.respondent_types and respondent_type not in section.respondent_types:
            continue
        if section.skippable and rng.random() < 0.08:
            continue
        for question in section.questions:
            if question.key in answers or rng.random() < SKIP:
                continue
            value = _answer(rng, survey, question, respondent_type, lean)
            if value is not None:
                answers[question.key] = value
    if "pursuing_perpetrators" not in answers:
        answers.pop("pursuing_perpetrators_reasons", None)  # shown only after a rating
    return answers


def demo_mix(total: int) -> list[str]:
    """Respondent types in the Call for Evidence's proportions, ``total`` in all."""
    whole = sum(MIX.values())
    counts = {t: round(n * total / whole) for t, n in MIX.items()}
    counts["professional"] += total - sum(counts.values())
    return [t for t, n in counts.items() for _ in range(n)]


def generate(survey: Survey, total: int = DEMO_TOTAL, seed: int = SEED) -> Iterator[NewResponse]:
    """``total`` responses submitted over the eight weeks to now, in a fixed order."""
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible on purpose
    types = demo_mix(total)
    rng.shuffle(types)
    end = datetime.now(UTC)
    for respondent_type in types:
        submitted = end - timedelta(seconds=rng.randint(0, 56 * 24 * 3600))
        yield NewResponse(respondent_type, answers_for(rng, survey, respondent_type), submitted)
