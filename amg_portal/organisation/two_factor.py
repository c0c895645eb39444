"""The optional second factor: a TOTP authenticator app (django-otp)."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from amg_portal.organisation.access import role_paths
from amg_portal.organisation.models import Role, User

DEVICE_NAME = "Authenticator"


def second_factor_required(user: User) -> bool:
    """Leaders and the coordinator must use a second factor when the setting says so."""
    if not settings.OTP_REQUIRED_FOR_LEADERS or not user.is_authenticated:
        return False
    return user.coordinates or any(role == Role.LEADER for _, role in role_paths(user))


def confirmed_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device a user is setting up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Confirm the pending device with a code from the app; None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def totp_device_remove(*, user: User) -> None:
    """Turn the second factor off (the view refuses when it is required)."""
    TOTPDevice.objects.filter(user=user).delete()


def secret_of(device: TOTPDevice) -> str:
    """The device key in base32, for typing into an app that cannot scan."""
    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#000")
