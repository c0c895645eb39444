"""An id in a URL is a database id: a number no table can hold is a page that does not exist."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from amg_portal.urlconverters import MAX_ID, IdConverter
from tests.conftest import make_user


def _patterns(patterns=None, namespace: str = "") -> list[tuple[str, dict]]:
    """(name, converters) of every named pattern outside the admin site."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _patterns(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((namespace + pattern.name, pattern.pattern.converters))
    return found


def _id_patterns() -> list[tuple[str, list[str]]]:
    return [
        (name, list(converters))
        for name, converters in _patterns()
        if any(isinstance(c, IdConverter) for c in converters.values())
    ]


def test_every_object_url_takes_its_ids_through_the_id_converter():
    plain_numbers = {
        (name, argument)
        for name, converters in _patterns()
        for argument, converter in converters.items()
        if not isinstance(converter, IdConverter) and converter.regex == "[0-9]+"
    }
    assert plain_numbers == {("kortlaegning:answer_step", "step")}  # a step, not an id
    assert len(_id_patterns()) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["0", str(MAX_ID + 1), "99999999999999999999", "1" * 30])
def test_a_number_past_any_id_is_not_found_on_every_page(client, number):
    client.force_login(make_user("koordinator", coordinator=True))
    for name, converters in _patterns():
        for argument, converter in converters.items():
            if not isinstance(converter, IdConverter):
                continue
            kwargs = {k: 1 if c.regex.startswith("[0-9]") else "csv" for k, c in converters.items()}
            url = reverse(name, kwargs=kwargs | {argument: 424242})
            bad = url.replace("424242", number)
            assert client.get(bad).status_code == 404, bad


def test_the_largest_id_is_still_an_id():
    assert reverse("handlingsplan:cycle_detail", args=[MAX_ID, MAX_ID]).count(str(MAX_ID)) == 2
