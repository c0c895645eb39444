"""Demo data for ``seed_demo``: an APV cycle of Institut for Biologi with its risk picture,
assessments, eight tiltag across statuses and prevention levels, and two past status meetings.
Idempotent: a second run finds the cycle and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amg_portal.domain import Level, Prevention
from amg_portal.organisation.demo import BIOLOGI, DemoOrganisation
from handlingsplan import services
from handlingsplan.models import Cycle, Measure
from kortlaegning.models import Question, Round

GUIDELINES = (
    "Handlingsplanen gennemgås på AMG's statusmøder hver anden måned. Tiltag med opfølgning eller "
    "delmål, der er overskredet, kommer automatisk på dagsordenen. Konklusioner skrives i "
    "handlingsplanen. APV'en revideres senest hvert tredje år og ved større forandringer."
)

RISK_FACTORS = [
    ("Tidspres og sammenfaldende deadlines", Level.GROUP, True, True),
    ("Uklare roller og forventninger ved forandringer", Level.LEADER, False, True),
    ("Ingen fast tid til at tale om trivsel og arbejdspres", Level.GROUP, False, True),
    ("Usikkerhed om finansiering af tidsbegrænsede stillinger", Level.ORGANISATION, False, False),
    ("Høj arbejdsbelastning hos enkelte i eksamensperioder", Level.INDIVIDUAL, True, True),
]

ASSESSMENTS = [
    dict(
        nature="Mange opgaver med samme frist, især ved ansøgningsrunder og eksamen.",
        extent="De fleste i de to forskningsgrupper, mest ph.d.-studerende og adjunkter.",
        severity="high",
        causes="Ingen fælles planlægning af frister; opgaver fordeles ad hoc.",
        frequency="often",
        existing_prevention="Uformel hjælp mellem kolleger.",
        balance="insufficient",
        decision="more_measures",
        reason="Forekomsten er høj, og forebyggelsen er tilfældig.",
        absence_linked=True,
    ),
    dict(
        nature="Usikkerhed om, hvem der beslutter hvad efter sammenlægningen af grupperne.",
        extent="Hele instituttet i perioder med forandringer.",
        severity="medium",
        causes="Funktionsbeskrivelser er ikke opdateret.",
        frequency="sometimes",
        existing_prevention="Informationsmøder ved større forandringer.",
        balance="unclear",
        decision="more_measures",
        reason="Skal løses på ledelsesniveau, før næste forandring rammer.",
        absence_linked=False,
    ),
    dict(
        nature="Trivsel og pres tages kun op, når nogen allerede er hårdt ramt.",
        extent="Begge forskningsgrupper.",
        severity="medium",
        causes="Ingen fast plads på dagsordenen til gruppemøderne.",
        frequency="constantly",
        existing_prevention="MUS-samtaler en gang om året.",
        balance="insufficient",
        decision="more_measures",
        reason="Billig og hurtig at forebygge; prøv det småt først.",
        absence_linked=False,
    ),
    dict(
        nature="Bekymring for fremtidig ansættelse blandt tidsbegrænset ansatte.",
        extent="Ca. en tredjedel af de ansatte.",
        severity="low",
        causes="Eksterne bevillinger; besluttes uden for instituttet.",
        frequency="sometimes",
        existing_prevention="Karrieresamtaler og åbenhed om bevillingssituationen.",
        balance="sufficient",
        decision="acceptable",
        reason="Forebyggelsen er tilstrækkelig; følges ved næste kortlægning.",
        absence_linked=False,
    ),
]


@transaction.atomic
def seed(org: DemoOrganisation) -> None:
    """Add the demo cycle once; leave an existing one as it is."""
    unit = org.units[BIOLOGI]
    today = timezone.localdate()
    title = f"{BIOLOGI} {today.year}–{today.year + 1}"
    if Cycle.objects.filter(unit=unit).exists():
        return
    u = org.users
    cycle = services.cycle_create(
        unit=unit,
        created_by=u["leder"],
        title=title,
        period_start=dt.date(today.year, 1, 1),
        period_end=dt.date(today.year + 1, 12, 31),
        guidelines=GUIDELINES,
    )
    services.cycle_set_step(cycle=cycle, step=Cycle.Step.SUPERVISE)
    _risk_picture(cycle, u, today)
    _measures(cycle, u, today)
    _meetings(cycle, u, today)


def _risk_picture(cycle: Cycle, u: dict, today: dt.date) -> None:
    for year, days, leaves in ((today.year - 2, "8.9", 1), (today.year - 1, "10.4", 3)):
        services.absence_figure_add(
            cycle=cycle,
            created_by=u["leder"],
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            sick_days_per_fte=Decimal(days),
            stress_sick_leaves=leaves,
        )
    round_ = Round.objects.filter(unit=cycle.unit).order_by("opens_on").first()
    factors = []
    for title, level, absence, conversations in RISK_FACTORS:
        factors.append(
            services.risk_factor_create(
                cycle=cycle,
                created_by=u["amg"],
                title=title,
                level=level,
                source_round=round_ if level != Level.INDIVIDUAL else None,
                from_absence=absence,
                from_conversations=conversations,
            )
        )
    for factor, assessment in zip(factors, ASSESSMENTS, strict=False):
        services.assessment_save(risk_factor=factor, user=u["leder"], version=None, **assessment)
    services.conversation_note_add(
        cycle=cycle,
        author=u["amr"],
        held_on=today - dt.timedelta(days=120),
        summary=(
            "Samtaler med seks medarbejdere i Økologi: flere oplever, at deadlines fra "
            "forskellige projekter falder samtidig, og at det er svært at sige fra."
        ),
        risk_factor=factors[0],
    )
    services.conversation_note_add(
        cycle=cycle,
        author=u["tr"],
        held_on=today - dt.timedelta(days=100),
        summary="Tidsbegrænset ansatte efterlyser mere åbenhed om bevillinger og forlængelser.",
        risk_factor=factors[3],
    )


def _d(today: dt.date, days: int) -> dt.date:
    return today + dt.timedelta(days=days)


def _measures(cycle: Cycle, u: dict, today: dt.date) -> None:
    factors = list(cycle.risk_factors.all())
    question = Question.objects.filter(level=Level.GROUP).order_by("sort_key").first()
    round_ = (
        Round.objects.filter(unit=cycle.unit, status=Round.Status.CLOSED)
        .order_by("opens_on")
        .first()
    )
    S, P = Measure.Status, Prevention
    plan = [
        dict(title="Fælles frist-kalender for begge forskningsgrupper", risk=0,
             prevention=P.PRIMARY, level=Level.GROUP, status=S.IN_PROGRESS, priority=1,
             responsible="amg", roles=["leader", "amg"], start=-90, deadline=60,
             goal="Færre sammenfaldende deadlines; alle kan se de kommende frister.",
             description="En delt kalender med alle ansøgnings-, eksamens- og rapportfrister. "
             "Gennemgås på hvert gruppemøde.",
             milestones=[("Kalender oprettet", -60, True), ("Alle frister lagt ind", -20, False)],
             follow_ups=[-14, 45]),
        dict(title="Trivsel som fast punkt på gruppemøderne", risk=2, trial=True,
             prevention=P.PRIMARY, level=Level.GROUP, status=S.TRIAL, priority=2,
             responsible="amr", roles=["amr", "leader"], start=-75, deadline=30,
             goal="Pres bliver talt om, før det bliver til sygemelding.",
             description="Ti minutter på hvert gruppemøde i Økologi i tre måneder; evalueres "
             "herefter og udbredes, hvis det virker.",
             milestones=[("Første tre møder afholdt", -40, True)], follow_ups=[-21, 21],
             source_question=True),
        dict(title="Opdaterede funktionsbeskrivelser efter sammenlægningen", risk=1,
             prevention=P.PRIMARY, level=Level.LEADER, status=S.PLANNED, priority=3,
             responsible="leder", roles=["leader", "tr"], start=14, deadline=120,
             goal="Alle ved, hvem der beslutter hvad.",
             description="Lederen skriver udkast; TR og AMR kommenterer før offentliggørelse.",
             milestones=[("Udkast klar", 60, False)], follow_ups=[90]),
        dict(title="Prioriteringsmøde med nærmeste leder ved spidsbelastning", risk=4,
             prevention=P.SECONDARY, level=Level.INDIVIDUAL, status=S.IN_PROGRESS, priority=2,
             responsible="leder", roles=["leader", "employee"], start=-30, deadline=5,
             goal="Medarbejdere med for mange opgaver får hjælp til at prioritere i tide.",
             description="Enhver kan bede om et kort prioriteringsmøde; lederen svarer inden "
             "for en uge.",
             milestones=[("Ordning meldt ud", -25, True)], follow_ups=[3]),
        dict(title="Makkerpar i eksamensperioden", risk=4,
             prevention=P.SECONDARY, level=Level.GROUP, status=S.DONE, priority=4,
             responsible="tr", roles=["tr"], start=-150, deadline=-60,
             goal="Ingen står alene med rettearbejdet.",
             description="Faste makkerpar, der kan tage over for hinanden i eksamensperioden.",
             milestones=[], follow_ups=[-70]),
        dict(title="Kursus i stresshåndtering for ph.d.-studerende", risk=None,
             prevention=P.SECONDARY, level=Level.INDIVIDUAL, status=S.DROPPED, priority=6,
             responsible="amr", roles=["amr"], start=-140, deadline=-80,
             goal="Kendskab til egne stresssymptomer.",
             description="Eksternt kursus på to halve dage.", milestones=[], follow_ups=[-70]),
        dict(title="Beredskab for tilbagevenden efter sygemelding", risk=None,
             prevention=P.TERTIARY, level=Level.LEADER, status=S.IN_PROGRESS, priority=2,
             responsible="leder", roles=["leader", "amr", "tr"], start=-60, deadline=45,
             goal="En tryg og gradvis tilbagevenden for medarbejdere sygemeldt med stress.",
             description="Fast forløb med plan for opstart, aflastning og opfølgningssamtaler.",
             milestones=[("Skabelon til tilbagevendingsplan", -10, False)], follow_ups=[7]),
        dict(title="Åbenhed om bevillinger og forlængelser", risk=3,
             prevention=P.PRIMARY, level=Level.ORGANISATION, status=S.PLANNED, priority=5,
             responsible="leder", roles=["leader"], start=30, deadline=200,
             goal="Tidsbegrænset ansatte kender deres muligheder i god tid.",
             description="Halvårlig orientering om bevillingssituationen på instituttets møde.",
             milestones=[], follow_ups=[150]),
    ]  # fmt: skip
    for item in plan:
        source: dict = {}
        if item.get("source_question") and round_ and question:
            source = {"source_round": round_, "source_question": question}
        risk = factors[item["risk"]] if item["risk"] is not None else None
        measure = services.measure_create(
            unit=cycle.unit,
            created_by=u["leder"],
            cycle=cycle,
            title=item["title"],
            goal=item["goal"],
            description=item["description"],
            responsible=u[item["responsible"]],
            roles=item["roles"],
            start=_d(today, item["start"]),
            deadline=_d(today, item["deadline"]),
            prevention=item["prevention"],
            level=item["level"],
            priority=item["priority"],
            status=item["status"],
            is_trial=item.get("trial", False),
            risk_factor=risk,
            source_kind=(
                Measure.Source.ROUND_QUESTION
                if source
                else Measure.Source.RISK_FACTOR
                if risk
                else Measure.Source.OTHER
            ),
            follow_ups=[_d(today, days) for days in item["follow_ups"]],
            **source,
        )
        for title, days, done in item["milestones"]:
            milestone = services.milestone_add(
                measure=measure, title=title, due_on=_d(today, days), user=u["amg"]
            )
            if done:
                services.milestone_set_done(milestone=milestone, done=True, user=u["amg"])


def _meetings(cycle: Cycle, u: dict, today: dt.date) -> None:
    people = [u["leder"], u["amr"], u["tr"], u["amg"]]
    first = services.meeting_create(
        unit=cycle.unit, held_on=_d(today, -70), participants=people, created_by=u["amg"]
    )
    by_title = {m.title: m for m in cycle.measures.all()}
    verdicts = [
        (first, "Makkerpar i eksamensperioden", "Alle makkerpar blev brugt; ingen overarbejde "
         "i weekenderne.", "works", "continue", "Fortsættes ved næste eksamensperiode."),
        (first, "Kursus i stresshåndtering for ph.d.-studerende", "Kun to tilmeldte; "
         "deltagerne savnede kobling til hverdagen.", "not", "drop",
         "Droppes; pengene bruges på trivselspunktet i grupperne i stedet."),
    ]  # fmt: skip
    second = services.meeting_create(
        unit=cycle.unit, held_on=_d(today, -14), participants=people, created_by=u["amg"]
    )
    verdicts += [
        (second, "Fælles frist-kalender for begge forskningsgrupper", "Kalenderen bruges, men "
         "ikke alle frister er lagt ind endnu.", "partly", "adjust",
         "Hver projektleder lægger egne frister ind inden næste møde."),
        (second, "Trivsel som fast punkt på gruppemøderne", "Godt modtaget i Økologi; flere "
         "har taget pres op tidligt.", "works", "continue",
         "Prøveperioden fortsætter; udbredes til Cellebiologi, hvis effekten holder."),
    ]  # fmt: skip
    for meeting, title, observation, effect, decision, conclusion in verdicts:
        services.evaluation_record(
            meeting=meeting,
            measure=by_title[title],
            user=u["amr"],
            observation=observation,
            effect=effect,
            decision=decision,
            conclusion=conclusion,
        )
