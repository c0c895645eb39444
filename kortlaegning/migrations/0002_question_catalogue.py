"""Load bilag 1's 33 questions (I 11, G 7, L 10, O 5) as version 1 of the catalogue.

The Danish texts are verbatim from the guide (including its own wording "egne og opgaver" in I1).
The data lives here, not in an importable module, so the migration never changes after the fact.
"""

from django.db import migrations

CATALOGUE = [
    ("I", [
        ("Har jeg overblik over balancen mellem egne og opgaver og ressourcer?",
         "Do I have an overview of the balance between my own tasks and resources?"),
        ("Kan mine opgaver og indsatser prioriteres bedre – og hvem kan evt. hjælpe mig?",
         "Could my tasks and efforts be prioritised better – and who might help me?"),
        ("Har jeg fokus på min egen trivsel – og hvordan den kan styrkes?",
         "Do I pay attention to my own well-being – and how it can be strengthened?"),
        ("Har jeg tilstrækkelig viden om stress – både forebyggelse og håndtering?",
         "Do I know enough about stress – both preventing it and handling it?"),
        ("Ved jeg, hvordan jeg kan forebygge og tackle egen stress?",
         "Do I know how to prevent and tackle my own stress?"),
        ("Har jeg behov for at styrke mine kvalifikationer generelt eller på udvalgte områder?",
         "Do I need to strengthen my qualifications in general or in particular areas?"),
        ("Kender jeg mine symptomer?",
         "Do I know my symptoms?"),
        ("Holder jeg fokus på de ting, jeg har indflydelse på?",
         "Do I keep my focus on the things I can influence?"),
        ("Taler jeg med andre om det, der stresser mig?",
         "Do I talk with others about what stresses me?"),
        ("Har jeg brug for yderligere professionel hjælp uden for arbejdspladsen?",
         "Do I need further professional help outside the workplace?"),
        ("Er jeg opmærksom på, hvordan jeg bidrager til det kollegiale fællesskab – med "
         "handlinger, stemmer, fortællinger og ordvalg?",
         "Am I aware of how I contribute to the community among colleagues – through actions, "
         "voices, stories and choice of words?"),
    ]),
    ("G", [
        ("Har vi fælles overblik over balancen mellem opgaver og ressourcer?",
         "Do we have a shared overview of the balance between tasks and resources?"),
        ("Arbejder vi med at styrke den psykologiske tryghed og tillid, fx ved at tale sammen om "
         "opgaveløsning, forventninger, samarbejde og gensidig støtte?",
         "Do we work to strengthen psychological safety and trust, e.g. by talking together "
         "about how we solve tasks, expectations, collaboration and mutual support?"),
        ("Har vi sat trivsel og stress på dagsordenen?",
         "Have we put well-being and stress on the agenda?"),
        ("Er der plads til at adressere og tale om, når der er usundt pres på?",
         "Is there room to raise and talk about it when there is unhealthy pressure?"),
        ("Udviser vi mod til at tage fat i kolleger, der ændrer adfærd?",
         "Do we show the courage to approach colleagues whose behaviour changes?"),
        ("Støtter vi hinanden i tilfælde af stress?",
         "Do we support each other in cases of stress?"),
        ("Er vi enige om klare samarbejdsaftaler og retningslinjer, når en stressramt kollega "
         "skal hjælpes?",
         "Do we agree on clear working arrangements and guidelines when a colleague affected "
         "by stress needs help?"),
    ]),
    ("L", [
        ("Sikrer vi reel forventningsafstemning om kvalitet, deadlines, prioriteringer og "
         "håndtering af forandringer og øvrige udfordringer?",
         "Do we ensure real alignment of expectations about quality, deadlines, priorities and "
         "the handling of changes and other challenges?"),
        ("Har vi opmærksomhed på stress som en mulig problematik?",
         "Are we attentive to stress as a possible issue?"),
        ("Bidrager vi til at aftabuisere stress i gruppen/enheden?",
         "Do we help to remove the taboo around stress in the group/unit?"),
        ("Er vi lydhøre over for medarbejdere, der henvender sig med fortællinger om belastning?",
         "Do we listen to employees who come to us with accounts of strain?"),
        ("Hjælper vi medarbejdere med at prioritere og handle?",
         "Do we help employees to prioritise and act?"),
        ("Udviser vi mod til at tage fat i medarbejdere, der ændrer adfærd?",
         "Do we show the courage to approach employees whose behaviour changes?"),
        ("Kender vi til mulighederne for professionel hjælp til stressramte?",
         "Do we know the options for professional help for people affected by stress?"),
        ("Er vi opmærksomme på den stressramtes kolleger – dvs. den samlede gruppe/enhed?",
         "Are we attentive to the colleagues of the person affected by stress – i.e. the group/unit "
         "as a whole?"),
        ("Er vi rollemodeller med hensyn til egen stresshåndtering?",
         "Are we role models in how we handle our own stress?"),
        ("Bruger og støtter vi hinanden i ledergruppen ift. forebyggelse og håndtering af stress?",
         "Do we use and support each other in the leadership group in preventing and handling "
         "stress?"),
    ]),
    ("O", [
        ("Har vi formuleret en vision om psykisk arbejdsmiljø?",
         "Have we formulated a vision for the psychosocial work environment?"),
        ("Har vi udarbejdet klare retningslinjer og funktionsbeskrivelser, der klarlægger roller "
         "og ansvar?",
         "Have we drawn up clear guidelines and job descriptions that clarify roles and "
         "responsibilities?"),
        ("Stiller vi krav ud fra en realistisk og objektiv vurdering af forholdet mellem "
         "ressourcer og opgaver i de enkelte enheder/grupper?",
         "Do we set demands based on a realistic and objective assessment of the relation "
         "between resources and tasks in the individual units/groups?"),
        ("Er vi åbne overfor og lytter vi til mellemlederes erfaringer og tanker om trivsel og "
         "stressproblematikker, som vi som hovedområdeledelse kan have indflydelse på?",
         "Are we open to and do we listen to middle managers' experiences and thoughts on "
         "well-being and stress issues that we, as the faculty management, can influence?"),
        ("Etablerer og støtter vi ledergrupper som også har fokus på eget samarbejde og trivsel "
         "som del af opgaveløsningen?",
         "Do we establish and support leadership groups that also focus on their own "
         "collaboration and well-being as part of their work?"),
    ]),
]  # fmt: skip


def load(apps, schema_editor):
    Question = apps.get_model("kortlaegning", "Question")
    QuestionVersion = apps.get_model("kortlaegning", "QuestionVersion")
    sort_key = 0
    for level, questions in CATALOGUE:
        for position, (text_da, text_en) in enumerate(questions, start=1):
            sort_key += 1
            question, _ = Question.objects.get_or_create(
                level=level, position=position, defaults={"sort_key": sort_key}
            )
            QuestionVersion.objects.get_or_create(
                question=question, number=1, defaults={"text_da": text_da, "text_en": text_en}
            )


def unload(apps, schema_editor):
    apps.get_model("kortlaegning", "QuestionVersion").objects.all().delete()
    apps.get_model("kortlaegning", "Question").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kortlaegning", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
