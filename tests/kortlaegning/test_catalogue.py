import re
from pathlib import Path

import pytest

from kortlaegning.models import Question, QuestionVersion

SEED = Path("/work/shared/seed/000_766402682a15cc17.txt")


def _seed_questions() -> list[str]:
    """The bilag 1 questions as the guide prints them (arrow bullets, wrapped lines joined)."""
    text = SEED.read_text(encoding="utf-8")
    bilag = text[text.index("Bilag 1 – Kortlægning") : text.index("Bilag 2 – Sten")]
    items = re.split(r"\n\s*→\s*", bilag)[1:]
    questions = []
    for item in items:
        question = item[: item.index("?") + 1]
        questions.append(re.sub(r"\s*\n\s*", " ", question).strip())
    return questions


@pytest.mark.django_db
def test_it_loads_the_33_questions_of_bilag_1_verbatim():
    counts = {level: Question.objects.filter(level=level).count() for level in "IGLO"}
    assert counts == {"I": 11, "G": 7, "L": 10, "O": 5}
    texts = [
        QuestionVersion.objects.get(question=q, number=1).text_da
        for q in Question.objects.order_by("sort_key")
    ]
    if SEED.exists():
        assert texts == _seed_questions()
    assert all(v.text_en for v in QuestionVersion.objects.all())
