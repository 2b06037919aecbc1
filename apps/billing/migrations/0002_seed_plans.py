"""Seed the three plans (shared/API.md, Billing; changelog: "Plans: Free, Creator ($9.99/mo),
Premium ($19.99/mo)"). Yearly prices are ten months' worth (two months free). Staff edit them in
the admin afterwards; this migration never overwrites an existing plan."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    {
        "code": "free",
        "name": "Free",
        "description": "Listen, upload and share.",
        "monthly_price": Decimal("0.00"),
        "yearly_price": Decimal("0.00"),
        "currency": "USD",
        "trial_days": 0,
        "display_order": 0,
        "features": ["Unlimited streaming", "Track uploads", "Public profile"],
    },
    {
        "code": "creator",
        "name": "Creator",
        "description": "Distribute your music and follow its numbers.",
        "monthly_price": Decimal("9.99"),
        "yearly_price": Decimal("99.90"),
        "currency": "USD",
        "trial_days": 0,
        "display_order": 10,
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
        "monthly_price": Decimal("19.99"),
        "yearly_price": Decimal("199.90"),
        "currency": "USD",
        "trial_days": 14,
        "display_order": 20,
        "features": [
            "Everything in Creator",
            "Advanced analytics and exports",
            "Sell courses",
            "Priority support",
        ],
    },
]


def seed_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for plan in PLANS:
        Plan.objects.get_or_create(code=plan["code"], defaults=plan)


def unseed_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code__in=[plan["code"] for plan in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_plans_subscriptions_invoices")]

    operations = [migrations.RunPython(seed_plans, unseed_plans)]
