"""The base UI: assets served by the app itself, accessible basics, Danish error pages."""

import re

from django.test import RequestFactory
from django.urls import reverse

from amg_portal.views import server_error


def test_pages_load_nothing_from_other_hosts_and_have_no_inline_code(login, leader_a, group_a1):
    client = login(leader_a)
    for url in [reverse("home"), reverse("organisation:unit_list"), reverse("profile")]:
        html = client.get(url).content.decode()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html and "<style" not in html, url


def test_static_assets_are_served_by_the_app(client, db):
    for path in [
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/static/vendor/bootstrap/bootstrap.bundle.min.js",
        "/static/css/amg.css",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)


def test_the_page_has_landmarks_a_skip_link_and_a_language_switch(login, leader_a):
    html = login(leader_a).get(reverse("home")).content.decode()
    assert '<html lang="da">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "<header" in html and "<nav" in html and "<main" in html and "<footer" in html
    assert 'name="language" value="en"' in html


def test_the_server_error_page_is_danish_and_needs_no_database(django_assert_num_queries, db):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Noget gik galt" in response.content.decode()


def test_a_forbidden_form_post_gets_a_clear_page(client, leader_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(leader_a)
    response = strict.post(reverse("profile"), {"first_name": "X"})
    assert response.status_code == 403
    assert "Formularen er udløbet" in response.content.decode()
