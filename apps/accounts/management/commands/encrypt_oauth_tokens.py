"""Encrypt OAuth provider tokens stored in plain text; re-encrypt those written with a retired
key. Idempotent: a second run changes nothing (changelog: cmd/tools/encrypt_oauth_tokens)."""

from django.core.management.base import BaseCommand

from apps.accounts.services import oauth_tokens_encrypt_all


class Command(BaseCommand):
    help = "Encrypt OAuth provider tokens at rest with the current FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        counts = oauth_tokens_encrypt_all()
        self.stdout.write(
            f"encrypted {counts['encrypted']}, re-encrypted {counts['reencrypted']}, "
            f"unchanged {counts['unchanged']}"
        )
