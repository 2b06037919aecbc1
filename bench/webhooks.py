"""Webhooks: what recording an event costs a domain write, and delivery throughput.

1. ``webhook_event_record`` for an account without endpoints (the common case: one indexed
   query) and with one subscribed endpoint (plus the event and delivery inserts), inside the
   caller's transaction, the way domain services call it.
2. Sequential delivery attempts (claim, sign, POST, record) to a receiver on localhost: the
   per-attempt latency Veza adds around the HTTP request.

    .venv/bin/python bench/webhooks.py
    DATABASE_URL=postgres://... .venv/bin/python bench/webhooks.py

Defaults: a throw-away SQLite file. Figures on a shared machine are indicative.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_db_file = Path(tempfile.gettempdir()) / "veza-bench-webhooks.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_db_file}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ["WEBHOOKS_ALLOW_PRIVATE_TARGETS"] = "true"  # the receiver is on localhost

import django  # noqa: E402

if os.environ["DATABASE_URL"].startswith("sqlite") and _db_file.exists():
    _db_file.unlink()
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.webhooks import signing, tasks  # noqa: E402
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: E402
from apps.webhooks.services import webhook_delivery_attempt, webhook_event_record  # noqa: E402
from tests.webhooks.receiver import Receiver  # noqa: E402

EVENTS = 500
DELIVERIES = 300


def record_many(owner, count: int) -> tuple[float, int]:
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        for index in range(count):
            webhook_event_record(
                owner_id=owner.pk,
                event_type="track.ready",
                object_id=f"track-{index}",
                data_object={"object": "track", "id": f"track-{index}", "title": "Bench"},
            )
    return (time.perf_counter() - started) / count * 1e6, len(queries) // count


def main() -> None:
    call_command("migrate", verbosity=0)
    User.objects.filter(email__startswith="bench-hooks").delete()
    quiet = User.objects.create_user(
        email="bench-hooks-quiet@example.com", username="bhq", password="x"
    )
    loud = User.objects.create_user(
        email="bench-hooks-loud@example.com", username="bhl", password="x"
    )
    receiver = Receiver().start()
    WebhookEndpoint.objects.create(
        owner=loud,
        url=receiver.url,
        event_types=["track.ready"],
        secret=signing.secret_seal(signing.secret_generate()),
    )
    tasks.delivery_attempt.delay = lambda delivery_id: None  # deliveries are timed separately

    started = time.perf_counter()
    with transaction.atomic():
        for _ in range(EVENTS):
            User.objects.filter(pk=quiet.pk).exists()
    baseline = (time.perf_counter() - started) / EVENTS * 1e6
    print(f"baseline, one pk lookup:    {baseline:8.1f} µs (for scale on this machine)")
    per_event, queries = record_many(quiet, EVENTS)
    print(f"record, no endpoint:        {per_event:8.1f} µs/event  {queries} query/event")
    per_event, queries = record_many(loud, EVENTS)
    print(f"record, 1 endpoint:         {per_event:8.1f} µs/event  {queries} queries/event")

    pending = list(WebhookDelivery.objects.values_list("pk", flat=True)[:DELIVERIES])
    durations = []
    started = time.perf_counter()
    for delivery_id in pending:
        one = time.perf_counter()
        assert webhook_delivery_attempt(delivery_id=delivery_id) == "succeeded"
        durations.append((time.perf_counter() - one) * 1000)
    elapsed = time.perf_counter() - started
    durations.sort()
    p95 = durations[int(len(durations) * 0.95) - 1]
    print(
        f"deliver to localhost:       {len(pending) / elapsed:8.1f} deliveries/s per worker  "
        f"p50 {statistics.median(durations):.1f} ms  p95 {p95:.1f} ms  (n={len(pending)})"
    )
    assert len(receiver.requests) == len(pending)
    receiver.stop()


if __name__ == "__main__":
    main()
