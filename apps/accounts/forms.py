"""Forms of the accounts domain (the admin login)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import BackupCodeDevice
from apps.accounts.services.two_factor import otp_verify
from veza.api.ratelimit import RateLimited

_GENERIC = (
    "Please enter a correct email, password and one-time code for a staff account. "
    "Note that the password is case-sensitive."
)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login with a second factor, in one step and one answer.

    django-otp's form answered a right password differently from a wrong one (it asked for
    the code and listed the account's devices), which told a guesser the password was right.
    Here the email, password and code are checked together and any failure gets the same
    message; the device is picked from the code (6 digits: the authenticator app, otherwise a
    backup code), so no device list is ever shown. Failures are counted per account by the
    admin site (``veza.admin_site``), in the API login's bucket.
    """

    otp_token = forms.CharField(
        required=False,
        label="One-time code",
        help_text="From your authenticator app, or one of your backup codes.",
    )
    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": _GENERIC}

    def clean(self):
        try:
            cleaned = super().clean()
            user = self.get_user()
            token = re.sub(r"\s", "", self.cleaned_data.get("otp_token") or "")
            try:
                verified = bool(token) and otp_verify(user=user, code=token)
            except RateLimited:
                verified = False
            if not verified:
                raise ValidationError(_GENERIC, code="invalid_login")
            user.otp_device = self._verified_device(user, token)
        except ValidationError:
            self.user_cache = None
            raise ValidationError(_GENERIC, code="invalid_login") from None
        return cleaned

    @staticmethod
    def _verified_device(user, token: str):
        """The device django-otp records in the session (``request.user.is_verified()``)."""
        model = TOTPDevice if re.fullmatch(r"\d{6}", token) else BackupCodeDevice
        return model.objects.filter(user=user, confirmed=True).first()
