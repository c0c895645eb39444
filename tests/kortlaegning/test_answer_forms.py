"""The last step's POST is validated without building the form (``forms.valid_step``); the form
is built only to show what is wrong. Both must agree on every input."""

from __future__ import annotations

from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kortlaegning import selectors
from kortlaegning.forms import AnswersForm, valid_step
from kortlaegning.models import COMMENT_MAX_LENGTH, Choice

CHOICES = list(Choice.values)
# What a browser, or someone editing the form, might send for a question.
ANSWER_VALUES = st.one_of(
    st.sampled_from(CHOICES),
    st.sampled_from(["", " ", "YES", "yes ", "maybe", "0", "\x00"]),
    st.text(max_size=8),
)
COMMENTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "   ", "\n\t", " Godt \n", "a\x00b", "\x00"]),
    st.integers(COMMENT_MAX_LENGTH - 2, COMMENT_MAX_LENGTH + 2).map(lambda n: " " + "x" * n),
    st.integers(COMMENT_MAX_LENGTH - 2, COMMENT_MAX_LENGTH + 2).map(lambda n: "x" * n + "  "),
)


def test_the_plain_check_agrees_with_the_form(open_round):
    pairs = selectors.round_questions(open_round)
    levels = selectors.questions_by_level(pairs, ["I", "G", "L", "O"])
    assert sum(len(level_pairs) for _level, level_pairs in levels) == 33

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        index=st.integers(0, len(levels) - 1),
        answers=st.lists(st.one_of(st.none(), ANSWER_VALUES), min_size=12, max_size=12),
        comment=st.one_of(st.none(), COMMENTS),
        repeated=st.booleans(),
    )
    def agrees(index, answers, comment, repeated):
        level, level_pairs = levels[index]
        data = QueryDict(mutable=True)
        for (question, _version), value in zip(level_pairs, answers, strict=False):
            if value is not None:
                if repeated:  # a field sent twice: both read the last value
                    data.appendlist(f"q{question.pk}", "bogus")
                data.appendlist(f"q{question.pk}", value)
        if comment is not None:
            data[f"comment_{level}"] = comment
        form = AnswersForm(data, levels=[(level, level_pairs)])
        expected = (form.answers(), form.comments()) if form.is_valid() else None
        assert valid_step(data, level, level_pairs) == expected

    agrees()
