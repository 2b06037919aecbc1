"""Enrol a staff account's first TOTP device, so it can log into the OTP-protected admin.

    python manage.py admin_otp_enroll admin@example.com

Prints the secret and the otpauth:// URI once (add it to an authenticator app) and ten backup
codes. Refuses to replace an existing device unless ``--replace`` is given. Audited.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.accounts.services import totp_secret_base32
from apps.accounts.services.two_factor import backup_codes_generate
from veza.audit import audit_record
from veza.normalization import email_normalize


class Command(BaseCommand):
    help = "Enrol a TOTP device (and backup codes) for a staff account."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--replace", action="store_true", help="Replace the account's existing devices."
        )

    @transaction.atomic
    def handle(self, *args, email, replace, **options):
        user = (
            User.objects.select_for_update().filter(email_normalized=email_normalize(email)).first()
        )
        if user is None:
            raise CommandError(f"No account with email {email}.")
        if not user.is_staff:
            raise CommandError(f"{email} is not staff; the admin site is for staff only.")
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not replace:
            raise CommandError(f"{email} already has a device. Use --replace to replace it.")
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Admin authenticator", confirmed=True)
        codes = backup_codes_generate(user=user)
        audit_record(
            action="user.2fa_enroll_cli", actor=None, target=user, metadata={"replace": replace}
        )
        self.stdout.write(f"TOTP secret (base32): {totp_secret_base32(device)}")
        self.stdout.write(f"otpauth URI: {device.config_url}")
        self.stdout.write("Backup codes (each works once):")
        for code in codes:
            self.stdout.write(f"  {code}")
