"""GET /api/v1/billing/invoices and gapless invoice numbers under concurrency."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from django.db import connection, transaction
from django.utils import timezone

from apps.billing import services
from apps.billing.models import Invoice, InvoiceCounter
from tests.accounts.factories import UserFactory
from tests.billing.factories import T0, at, subscribe
from tests.conftest import bearer_client
from tests.helpers import assert_error

URL = "/api/v1/billing/invoices"


def _with_history(user, renewals: int):
    subscription = subscribe(user, "creator", "monthly")
    for _ in range(renewals):
        subscription.refresh_from_db()
        services.subscriptions_process_due(now=subscription.current_period_end)
    return subscription


@pytest.mark.django_db
def test_invoices_are_listed_newest_first_with_their_lines(user):
    subscription = _with_history(user, renewals=1)
    services.subscription_change_plan(
        subscription=subscription, plan_code="premium", now=at(2026, 4, 11, 12)
    )
    other = UserFactory(verified=True)
    subscribe(other, "premium", "yearly", now=T0 - timedelta(days=30))  # trial: no invoice
    subscribe(UserFactory(verified=True), "creator")  # someone else's invoice

    response = bearer_client(user).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [invoice["number"] for invoice in body["results"]] == [
        "VZ-2026-000003",
        "VZ-2026-000002",
        "VZ-2026-000001",
    ]
    upgrade = body["results"][0]
    # April has 30 days, 20 left: credit 9.99*20/30 = 6.66, charge 19.99*20/30 = 13.326… -> 13.33
    assert upgrade == {
        "id": upgrade["id"],
        "number": "VZ-2026-000003",
        "status": "paid",
        "reason": "subscription_update",
        "currency": "USD",
        "subtotal": "6.67",
        "total": "6.67",
        "period_start": "2026-04-11T12:00:00Z",
        "period_end": "2026-05-01T12:00:00Z",
        "issued_at": "2026-04-11T12:00:00Z",
        "paid_at": "2026-04-11T12:00:00Z",
        "lines": [
            {
                "description": "Unused time on Creator (monthly)",
                "plan": "creator",
                "billing_cycle": "monthly",
                "amount": "-6.66",
                "period_start": "2026-04-11T12:00:00Z",
                "period_end": "2026-05-01T12:00:00Z",
            },
            {
                "description": "Remaining time on Premium (monthly)",
                "plan": "premium",
                "billing_cycle": "monthly",
                "amount": "13.33",
                "period_start": "2026-04-11T12:00:00Z",
                "period_end": "2026-05-01T12:00:00Z",
            },
        ],
    }
    first = body["results"][2]
    assert first["reason"] == "subscription_create"
    assert first["total"] == "9.99"
    assert first["lines"] == [
        {
            "description": "Creator (monthly)",
            "plan": "creator",
            "billing_cycle": "monthly",
            "amount": "9.99",
            "period_start": "2026-03-01T12:00:00Z",
            "period_end": "2026-04-01T12:00:00Z",
        }
    ]


@pytest.mark.django_db
def test_invoices_are_paginated(user):
    _with_history(user, renewals=4)

    response = bearer_client(user).get(URL + "?page_size=2&page=2")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [invoice["number"] for invoice in body["results"]] == [
        "VZ-2026-000003",
        "VZ-2026-000002",
    ]
    assert body["next"].endswith("page=3&page_size=2")


@pytest.mark.django_db
def test_invoices_need_login(api_client):
    response = api_client.get(URL)

    assert_error(response, 401, "AUTHENTICATION_REQUIRED")


@pytest.mark.django_db
@pytest.mark.parametrize("renewals", [0, 19])
def test_invoice_list_query_count_is_the_same_for_1_and_20_invoices(
    django_assert_num_queries, user, renewals
):
    _with_history(user, renewals=renewals)
    client = bearer_client(user)
    client.get(URL + "?page_size=1")  # warms the platform-settings snapshot and the user

    # count, page, lines (with their plans); the bearer is kept (veza.api.bearer_users)
    with django_assert_num_queries(3):
        response = client.get(URL + "?page_size=20")

    assert len(response.json()["results"]) == renewals + 1


@pytest.mark.django_db
def test_invoice_numbers_restart_each_year(user):
    subscription = subscribe(user, "creator", "monthly", now=at(2026, 12, 15))

    services.subscriptions_process_due(now=subscription.current_period_end)

    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "VZ-2026-000001",
        "VZ-2027-000001",
    ]
    assert InvoiceCounter.objects.get(year=2027).last_number == 1


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        services.invoice_number_next(year=2026)
    with transaction.atomic():
        assert services.invoice_number_next(year=2026) == "VZ-2026-000001"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_invoices_get_sequential_numbers_without_gaps(live_server):
    """Sixteen users subscribe at once (two of them are declined, so their numbers must be
    given back): the fourteen invoices are numbered 1..14 with no gap and no duplicate."""
    users = [UserFactory(verified=True) for _ in range(16)]
    for user in users[:2]:
        user.email = f"{user.username}+decline@example.com"
        user.save(update_fields=["email"])
    auths = [bearer_client(user)._credentials["HTTP_AUTHORIZATION"] for user in users]
    start = threading.Barrier(16)

    def post(auth):
        start.wait()
        return requests.post(
            live_server.url + "/api/v1/billing/subscription",
            json={"plan": "creator", "billing_cycle": "monthly"},
            headers={"Authorization": auth},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(post, auths))

    assert sorted(statuses) == [201] * 14 + [402] * 2
    year = timezone.now().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"VZ-{year}-{n:06d}" for n in range(1, 15)]
    assert InvoiceCounter.objects.get(year=year).last_number == 14
