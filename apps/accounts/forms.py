"""Forms of the accounts domain (the admin login)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from apps.accounts.services.two_factor import otp_device_verify
from veza.api.ratelimit import RateLimited

_GENERIC = (
    "Please enter a correct email, password and one-time code for a staff account. "
    "Note that the password is case-sensitive, and that the one-time code is the 6 digits "
    "your authenticator app shows now or one of your backup codes. After a wrong code, wait a "
    "few seconds before the next try."
)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login with a second factor, in one step and one answer.

    django-otp's form asks for the device first (the first submit fails with "Please select a
    device") and answers a right password differently from a wrong one (it asks for the code
    and lists the account's devices), which tells a guesser the password was right. Here the
    email, password and code are checked together in one submit and any failure gets the same
    message; the device is picked from the code's shape (``otp_device_verify``: 6 digits try the
    authenticator apps, otherwise the backup codes), so no device list is ever shown. django-otp's
    throttling still applies to each device (a throttled attempt gets the same message).
    Failures are counted per account by the admin site (``veza.admin_site``), in the API
    login's bucket.
    """

    otp_token = forms.CharField(
        required=False,
        label="One-time code",
        help_text="The 6 digits your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "maxlength": 32,
            }
        ),
    )
    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": _GENERIC}

    def clean(self):
        try:
            cleaned = super().clean()
            user = self.get_user()
            token = re.sub(r"\s", "", self.cleaned_data.get("otp_token") or "")
            try:
                device = otp_device_verify(user=user, code=token) if token else None
            except RateLimited:
                device = None
            if device is None:
                raise ValidationError(_GENERIC, code="invalid_login")
            # What django-otp records in the session (``request.user.is_verified()``).
            user.otp_device = device
        except ValidationError:
            self.user_cache = None
            raise ValidationError(_GENERIC, code="invalid_login") from None
        return cleaned
