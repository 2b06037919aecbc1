"""Server pages behind the links of the verification and password-reset emails.

The emails link to ``<FRONTEND_URL>/verify-email?token=…`` and ``/reset-password?token=…``
(shared/API.md, Operations contract). With the default ``FRONTEND_URL`` (this server) there is
no single-page app to open them, so these plain pages complete the action through the same
services as the API and say what happened. With a real ``FRONTEND_URL`` the links go to the
SPA and these pages are never linked to.

The token is spent by a POST (a button or the new-password form, CSRF-protected), never by
opening the link: mail scanners that prefetch links must not use it up. POSTs count against
``RATE_LIMITS["email_link_page_ip"]`` per client IP, like the API's auth endpoints.
"""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from apps.accounts import services
from apps.accounts.exceptions import InvalidToken
from apps.accounts.tokens import email_verification_token_check, password_reset_token_check
from veza.api import ratelimit
from veza.api.exceptions import ValidationFailed
from veza.audit import RequestMeta

TOKEN_MAX_LENGTH = 512


class _TokenForm(forms.Form):
    token = forms.CharField(max_length=TOKEN_MAX_LENGTH)


class PasswordResetForm(_TokenForm):
    new_password = forms.CharField(max_length=4096, strip=False)
    new_password_again = forms.CharField(max_length=4096, strip=False)

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password_again")
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", "The two passwords differ.")
        return data


def _rate_limited_page(request, template: str) -> HttpResponse | None:
    try:
        ratelimit.ip_limit_enforce(request, group="email_link_page_ip")
    except ratelimit.RateLimited as exc:
        retry_after = exc.headers["Retry-After"]
        response = render(
            request, template, {"state": "rate_limited", "retry_after": retry_after}, status=429
        )
        response["Retry-After"] = retry_after
        return response
    return None


@method_decorator(never_cache, name="dispatch")
class VerifyEmailPageView(View):
    template_name = "accounts/verify_email.html"

    def get(self, request):
        form = _TokenForm(request.GET)
        if not form.is_valid():
            return render(request, self.template_name, {"state": "missing"}, status=400)
        if email_verification_token_check(form.cleaned_data["token"]) is None:
            return render(request, self.template_name, {"state": "invalid"}, status=400)
        context = {"state": "confirm", "token": form.cleaned_data["token"]}
        return render(request, self.template_name, context)

    def post(self, request):
        limited = _rate_limited_page(request, self.template_name)
        if limited:
            return limited
        form = _TokenForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"state": "missing"}, status=400)
        try:
            user = services.email_verification_confirm(
                token=form.cleaned_data["token"],
                caller=None,
                meta=RequestMeta.from_request(request),
            )
        except InvalidToken:
            return render(request, self.template_name, {"state": "invalid"}, status=400)
        return render(request, self.template_name, {"state": "done", "email": user.email})


@method_decorator(never_cache, name="dispatch")
class PasswordResetPageView(View):
    template_name = "accounts/reset_password.html"

    def get(self, request):
        token_form = _TokenForm(request.GET)
        if not token_form.is_valid():
            return render(request, self.template_name, {"state": "missing"}, status=400)
        if password_reset_token_check(token_form.cleaned_data["token"]) is None:
            return render(request, self.template_name, {"state": "invalid"}, status=400)
        form = PasswordResetForm(initial={"token": token_form.cleaned_data["token"]})
        return render(request, self.template_name, {"state": "form", "form": form})

    def post(self, request):
        limited = _rate_limited_page(request, self.template_name)
        if limited:
            return limited
        form = PasswordResetForm(request.POST)
        if not form.is_valid():
            if "token" in form.errors:
                return render(request, self.template_name, {"state": "missing"}, status=400)
            return render(request, self.template_name, {"state": "form", "form": form}, status=400)
        try:
            services.password_reset_confirm(
                token=form.cleaned_data["token"],
                new_password=form.cleaned_data["new_password"],
                meta=RequestMeta.from_request(request),
            )
        except InvalidToken:
            return render(request, self.template_name, {"state": "invalid"}, status=400)
        except ValidationFailed as exc:
            for message in exc.details.get("new_password", [exc.message]):
                form.add_error("new_password", message)
            return render(request, self.template_name, {"state": "form", "form": form}, status=400)
        return render(request, self.template_name, {"state": "done"})
