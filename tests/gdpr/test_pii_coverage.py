"""Every column that holds personal data is declared, and deletion handles each as declared
(apps/gdpr/pii.py)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db.models import FileField
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.gdpr import services
from apps.gdpr.models import AccountDeletion
from apps.gdpr.pii import LOOKS_PERSONAL, NOT_PERSONAL, PII, Handling
from tests.conftest import bearer_client
from tests.gdpr.factories import DataExportFactory, footprint


def project_models():
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("apps.") and not model._meta.proxy
    ]


def test_every_column_that_looks_personal_is_declared():
    undeclared = []
    for model in project_models():
        label = model._meta.label_lower
        declared = PII.get(label)
        for field in model._meta.concrete_fields:
            if not LOOKS_PERSONAL.search(field.name):
                continue
            if declared and field.name in declared.columns:
                continue
            if f"{label}.{field.name}" in NOT_PERSONAL:
                continue
            undeclared.append(f"{label}.{field.name}")
    assert undeclared == [], (
        "Declare these columns in apps/gdpr/pii.py (PII with their handling, or NOT_PERSONAL "
        "with a reason) and handle them in apps/gdpr/erasure/"
    )


def test_every_declared_column_exists():
    stale = []
    for label, table in PII.items():
        model = apps.get_model(label)
        names = {field.name for field in model._meta.concrete_fields}
        stale += [f"{label}.{column}" for column in table.columns if column not in names]
    for dotted in NOT_PERSONAL:
        label, column = dotted.rsplit(".", 1)
        if column not in {field.name for field in apps.get_model(label)._meta.concrete_fields}:
            stale.append(dotted)
    assert stale == []


def _values(model, owner, user, column):
    values = []
    lookup = {owner: user.pk if owner == "pk" else user}
    for value in model.objects.filter(**lookup).values_list(column, flat=True):
        values.append(str(value) if isinstance(model._meta.get_field(column), FileField) else value)
    return values


def _empty(value) -> bool:
    return value in (None, "")


@pytest.mark.django_db
def test_deletion_handles_every_declared_personal_column(django_capture_on_commit_callbacks):
    data = footprint()
    user = data.user
    DataExportFactory(user=user, status="ready", file="gdpr/exports/old.zip")
    before = _snapshot(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = bearer_client(user).delete(
            "/api/v1/users/me",
            {
                "password": "correct-horse-battery-9",
                "keep_public_tracks": True,
                "otp_code": _current_code(user),
            },
            format="json",
        )
    assert response.status_code == 202
    after_now = _snapshot(user)
    deletion = AccountDeletion.objects.get(user=user)
    services.deletions_finish_due(now=deletion.hard_delete_after + timedelta(seconds=1))
    after_final = _snapshot(user)

    problems = []
    for (label, column), original in before.items():
        handling = PII[label].columns[column]
        now_values, final_values = after_now[label, column], after_final[label, column]
        original = {value for value in original if not _empty(value)}
        if not original and handling != Handling.KEPT:
            problems.append(f"{label}.{column}: give the footprint a value to check")
        if handling == Handling.ANONYMISED and set(now_values) & original:
            problems.append(f"{label}.{column} still holds its value after deletion")
        if handling == Handling.DELETED and now_values:
            problems.append(f"{label}.{column} still has rows after deletion")
        if handling == Handling.ERASED_LATER and any(not _empty(v) for v in final_values):
            problems.append(f"{label}.{column} still set after the hard delete")
    assert problems == [], problems


def _snapshot(user):
    return {
        (label, column): _values(apps.get_model(label), table.owner, user, column)
        for label, table in PII.items()
        for column in table.columns
    }


def _current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):06d}"
