"""Erase again the accounts listed in the storage erasure ledger (run after restoring the
database from a backup)."""

from django.core.management.base import BaseCommand

from apps.gdpr.services import erasures_replay


class Command(BaseCommand):
    help = "Replay the erasure ledger: erase again accounts a database restore brought back."

    def handle(self, *args, **options):
        replayed = erasures_replay()
        self.stdout.write(f"Replayed {replayed} erasure(s).")
