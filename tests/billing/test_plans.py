"""GET /api/v1/billing/plans and the plans seeded by migration (shared/API.md, Billing)."""

from decimal import Decimal

import factory
import pytest
from rest_framework.test import APIClient

from apps.billing.models import Plan
from tests.billing.factories import PlanFactory
from tests.conftest import bearer_client

URL = "/api/v1/billing/plans"

EXPECTED_PLANS = [
    {
        "code": "free",
        "name": "Free",
        "description": "Listen, upload and share.",
        "monthly_price": "0.00",
        "yearly_price": "0.00",
        "currency": "USD",
        "trial_days": 0,
        "features": ["Unlimited streaming", "Track uploads", "Public profile"],
    },
    {
        "code": "creator",
        "name": "Creator",
        "description": "Distribute your music and follow its numbers.",
        "monthly_price": "9.99",
        "yearly_price": "99.90",
        "currency": "USD",
        "trial_days": 0,
        "features": [
            "Everything in Free",
            "Distribution to Spotify, Apple Music and Deezer",
            "Creator analytics",
        ],
    },
    {
        "code": "premium",
        "name": "Premium",
        "description": "Everything Veza offers, with a 14-day free trial.",
        "monthly_price": "19.99",
        "yearly_price": "199.90",
        "currency": "USD",
        "trial_days": 14,
        "features": [
            "Everything in Creator",
            "Advanced analytics and exports",
            "Sell courses",
            "Priority support",
        ],
    },
]


@pytest.mark.django_db
def test_migration_seeds_three_plans_with_decimal_prices():
    plans = {plan.code: plan for plan in Plan.objects.all()}

    assert set(plans) == {"free", "creator", "premium"}
    assert plans["creator"].monthly_price == Decimal("9.99")
    assert plans["creator"].yearly_price == Decimal("99.90")
    assert plans["premium"].monthly_price == Decimal("19.99")
    assert plans["premium"].yearly_price == Decimal("199.90")
    assert plans["premium"].trial_days == 14
    assert plans["creator"].trial_days == 0
    assert isinstance(plans["premium"].monthly_price, Decimal)


@pytest.mark.django_db
def test_anyone_lists_the_plans_with_money_as_strings():
    response = APIClient().get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": EXPECTED_PLANS,
    }


@pytest.mark.django_db
def test_inactive_plans_are_not_listed(user):
    Plan.objects.filter(code="premium").update(is_active=False)

    response = bearer_client(user).get(URL)

    assert response.status_code == 200
    assert [plan["code"] for plan in response.json()["results"]] == ["free", "creator"]


@pytest.mark.django_db
@pytest.mark.parametrize("extra_plans", [0, 17])
def test_plan_list_query_count_does_not_grow_with_plans(django_assert_num_queries, extra_plans):
    PlanFactory.create_batch(
        extra_plans,
        monthly_price=Decimal("1.00"),
        display_order=factory.Sequence(lambda n: 100 + n),
    )

    client = APIClient()
    client.get(URL + "?page_size=1")  # warms the process's platform-settings snapshot

    with django_assert_num_queries(2):  # count + page
        response = client.get(URL + "?page_size=100")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3 + extra_plans


@pytest.mark.django_db
def test_cached_plan_list_shows_a_price_edit_made_in_the_admin(
    client, staff_user, django_capture_on_commit_callbacks
):
    anonymous = APIClient()
    assert anonymous.get(URL)["X-Cache"] == "MISS"
    assert anonymous.get(URL)["X-Cache"] == "HIT"
    plan = Plan.objects.get(code="creator")
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/billing/plan/{plan.pk}/change/",
            {
                "name": "Creator",
                "description": plan.description,
                "monthly_price": "10.99",
                "yearly_price": "99.90",
                "currency": "USD",
                "trial_days": "0",
                "features": '["Everything in Free"]',
                "display_order": "10",
                "is_active": "on",
            },
        )

    assert response.status_code == 302
    after = anonymous.get(URL)
    assert after["X-Cache"] == "MISS"
    creator = next(p for p in after.json()["results"] if p["code"] == "creator")
    assert creator["monthly_price"] == "10.99"
