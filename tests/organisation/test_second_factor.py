"""The optional TOTP second factor, required for leaders and the coordinator when configured."""

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amg_portal.organisation.two_factor import totp_device_start


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def test_leaders_must_set_up_a_second_factor_when_required(login, leader_a, settings):
    settings.OTP_REQUIRED_FOR_LEADERS = True
    client = login(leader_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor"))
    page = client.get(response["Location"])
    assert page.context["setup"] and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=leader_a, confirmed=False)
    response = client.post(reverse("second_factor"), {"token": code_for(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200


def test_a_new_login_asks_for_the_code(client, login, leader_a, settings):
    settings.OTP_REQUIRED_FOR_LEADERS = True
    device = totp_device_start(user=leader_a)
    device.confirmed = True
    device.save()
    client = login(leader_a)
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor"))
    page = client.get(reverse("second_factor"))
    assert page.context["setup"] is False
    response = client.post(reverse("second_factor"), {"token": code_for(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200


def test_employees_are_not_forced(login, employee_a, settings):
    settings.OTP_REQUIRED_FOR_LEADERS = True
    assert login(employee_a).get(reverse("home")).status_code == 200


def test_nothing_is_required_by_default(login, leader_a):
    assert login(leader_a).get(reverse("home")).status_code == 200


def test_the_code_field_explains_bad_input(login, employee_a):
    response = login(employee_a).post(reverse("second_factor"), {"token": "12ab"})
    assert response.status_code == 200
    assert "Skriv de seks cifre" in response.content.decode()


def test_a_required_second_factor_cannot_be_turned_off(login, leader_a, settings):
    settings.OTP_REQUIRED_FOR_LEADERS = True
    device = totp_device_start(user=leader_a)
    device.confirmed = True
    device.save()
    client = login(leader_a)
    client.post(reverse("second_factor"), {"token": code_for(device), "next": "/"})
    client.post(reverse("second_factor_remove"))
    assert TOTPDevice.objects.filter(user=leader_a).exists()


def test_an_optional_second_factor_can_be_turned_off(login, employee_a):
    device = totp_device_start(user=employee_a)
    device.confirmed = True
    device.save()
    client = login(employee_a)
    assert client.get(reverse("second_factor_remove")).status_code == 405
    client.post(reverse("second_factor_remove"))
    assert not TOTPDevice.objects.filter(user=employee_a).exists()


def test_the_next_parameter_cannot_leave_the_site(login, employee_a):
    client = login(employee_a)
    device = totp_device_start(user=employee_a)
    response = client.post(
        reverse("second_factor"), {"token": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_and_further_tries_are_slowed(login, leader_a):
    device = totp_device_start(user=leader_a)
    wrong = "111111" if code_for(device) != "111111" else "222222"
    client = login(leader_a)
    response = client.post(reverse("second_factor"), {"token": wrong})
    assert "Koden er ikke rigtig" in response.content.decode()
    # django-otp throttles: right after a failure even the right code waits a moment.
    response = client.post(reverse("second_factor"), {"token": code_for(device)})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=leader_a, confirmed=True).exists()
