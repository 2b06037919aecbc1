"""Benchmark: the billing job renewing a backlog of due subscriptions.

Creates its own throw-away test database (``test_<name>`` of ``DATABASE_URL``; in memory with
the SQLite default), subscribes N users to Creator monthly, then times one run of
``subscriptions_process_due`` renewing them all (one transaction, one row lock, one invoice and
one sandbox charge each), and on PostgreSQL the same backlog split between two parallel workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/veza .venv/bin/python bench/billing_renewals.py

Target: the per-subscription cost is constant (queries per renewal do not grow with N) and a
single worker renews at least 50 subscriptions a second on a laptop-class machine.
"""

import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Import the project from its root, whatever the current directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

N = int(os.environ.get("BENCH_SUBSCRIPTIONS", "1000"))
MIN_RATE = 50.0
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def backlog(count: int, tag: str):
    from apps.accounts.models import User
    from apps.billing.models import Plan, Subscription

    plan = Plan.objects.get(code="creator")
    users = User.objects.bulk_create(
        User(email=f"bench-{tag}-{i}@example.com", username=f"b{tag}{i}", is_verified=True)
        for i in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(
            user=user,
            plan=plan,
            billing_cycle="monthly",
            status="active",
            billing_anchor=T0,
            current_period_start=T0,
            current_period_end=datetime(2026, 4, 1, 12, tzinfo=UTC),
        )
        for user in users
    )


def main() -> int:
    from apps.billing import services
    from apps.billing.models import Invoice

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    failures = []
    try:
        due = datetime(2026, 4, 1, 12, tzinfo=UTC)
        for size in (N // 10, N):
            backlog(size, f"s{size}")
            statements = []

            def count(execute, sql, params, many, context, statements=statements):
                statements.append(1)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                started = time.perf_counter()
                outcome = services.subscriptions_process_due(now=due, limit=size)
                elapsed = time.perf_counter() - started
            rate = size / elapsed
            per = len(statements) / size
            print(
                f"one worker, {size} due: {outcome} in {elapsed:.2f}s -> {rate:.0f} renewals/s, "
                f"{per:.1f} queries per renewal"
            )
            if outcome.get("renewed") != size:
                failures.append(f"renewed {outcome} instead of {size}")
            if rate < MIN_RATE:
                failures.append(f"{rate:.0f} renewals/s is below the {MIN_RATE:.0f}/s target")
            due += timedelta(days=31)  # the next backlog's period end lies after this one's

        if connection.vendor == "postgresql":
            backlog(N, "race")
            later = datetime(2026, 4, 1, 12, tzinfo=UTC)
            results = []

            def worker():
                try:
                    results.append(services.subscriptions_process_due(now=later, limit=N))
                finally:
                    connection.close()

            started = time.perf_counter()
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            renewed = sum(result.get("renewed", 0) for result in results)
            print(
                f"two workers, {N} due: {results} in {elapsed:.2f}s -> "
                f"{renewed / elapsed:.0f} renewals/s"
            )
            if renewed != N:
                failures.append(f"two workers renewed {renewed} instead of {N}")
        invoices = Invoice.objects.count()
        numbers = Invoice.objects.values("number").distinct().count()
        print(f"invoices: {invoices}, distinct numbers: {numbers}")
        if invoices != numbers:
            failures.append("duplicate invoice numbers")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
