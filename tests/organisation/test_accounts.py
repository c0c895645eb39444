"""Login, logout, password reset, profile and the language switch."""

from django.conf import settings
from django.core import mail
from django.urls import reverse

from amg_portal.organisation.models import User
from tests.conftest import PASSWORD


def test_it_logs_in_and_switches_to_the_users_language(client, leader_a):
    leader_a.language = "en"
    leader_a.save()
    response = client.post(
        reverse("login"), {"username": "leader_a", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.headers["Content-Language"] == "en"
    assert "Your roles" in response.content.decode()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_wrong_password_is_explained_in_danish_and_keeps_the_username(client, leader_a):
    response = client.post(reverse("login"), {"username": "leader_a", "password": "wrong"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Indtast venligst korrekt brugernavn og adgangskode" in text
    assert 'value="leader_a"' in text


def test_the_login_session_key_rotates(client, leader_a):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "leader_a", "password": PASSWORD})
    assert client.session.session_key != before


def test_logout_needs_post_and_ends_the_session(login, leader_a):
    client = login(leader_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_language_switch_remembers_the_choice_on_the_profile(login, leader_a):
    client = login(leader_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    leader_a.refresh_from_db()
    assert leader_a.language == "en"
    assert "Welcome" in client.get(reverse("home")).content.decode()


def test_the_language_switch_works_before_login(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/konto/log-ind/"})
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "da", "next": "/konto/log-ind/"})
    assert "Glemt adgangskode?" in client.get(reverse("login")).content.decode()


def test_the_language_switch_ignores_unknown_languages(login, leader_a):
    client = login(leader_a)
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    leader_a.refresh_from_db()
    assert leader_a.language == "da"


def test_the_language_switch_refuses_get(client, db):
    assert client.get(reverse("set_language")).status_code == 405


def test_the_language_switch_does_not_redirect_off_site(client, db):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_profile_saves_the_preferred_language(login, leader_a):
    client = login(leader_a)
    response = client.post(
        reverse("profile"),
        {"first_name": "Lea", "last_name": "Leder", "email": " LEA@Example.org ", "language": "en"},
    )
    assert response.status_code == 302
    leader_a.refresh_from_db()
    assert (leader_a.first_name, leader_a.email, leader_a.language) == (
        "Lea",
        "lea@example.org",
        "en",
    )
    assert "Your profile has been saved." in client.get(reverse("profile")).content.decode()


def test_the_profile_explains_bad_input_and_keeps_it(login, leader_a):
    response = login(leader_a).post(
        reverse("profile"),
        {"first_name": "Lea", "last_name": "", "email": "not-an-address", "language": "en"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Indtast en gyldig e-mail-adresse." in text
    assert 'value="Lea"' in text
    leader_a.refresh_from_db()
    assert leader_a.language == "da"


def test_password_reset_sends_an_email_with_a_working_link(client, leader_a):
    response = client.post(reverse("password_reset"), {"email": "leader_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "AMG-portal: vælg en ny adgangskode"
    link = next(line for line in message.body.splitlines() if "/konto/nulstil/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.context["validlink"]
    new = "a-much-longer-new-passphrase"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=leader_a.pk).check_password(new)


def test_password_reset_does_not_reveal_unknown_addresses(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_new_passwords_must_be_long(login, leader_a):
    response = login(leader_a).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "short1x", "new_password2": "short1x"},
    )
    assert response.status_code == 200
    assert "mindst 12 tegn" in response.content.decode()
