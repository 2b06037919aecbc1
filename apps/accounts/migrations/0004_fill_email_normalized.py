"""Fill ``email_normalized`` for existing accounts (veza.normalization.email_normalize).

Accounts whose addresses collide under the rule (only possible through the look-alike letters
the old case-insensitive comparison confused, e.g. a long s, U+017F, for an ``s``, beside
``alice@red.test``) cannot both keep the identity. The keeper is the verified one, else the
oldest; each other one gets a placeholder without ``@`` (no address normalises to it, so it can
no longer log in or be matched by email) and an audit row ``user.email_collision`` naming the
keeper, for staff to resolve. Reverse: nothing to undo (0003's reverse drops the column).
"""

from collections import defaultdict

from django.db import migrations

from veza.normalization import email_normalize


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    AuditLog = apps.get_model("accounts", "AuditLog")
    groups = defaultdict(list)
    rows = User.objects.order_by("-is_verified", "date_joined", "pk").values_list("pk", "email")
    for pk, email in rows.iterator(chunk_size=2000):
        groups[email_normalize(email)].append(pk)
    for normalized, pks in groups.items():
        keeper, *others = pks
        User.objects.filter(pk=keeper).update(email_normalized=normalized)
        for pk in others:
            User.objects.filter(pk=pk).update(email_normalized=f"collision:{pk}")
            AuditLog.objects.create(
                action="user.email_collision",
                target_type="accounts.user",
                target_id=str(pk),
                metadata={"normalized": normalized, "kept_account": str(keeper)},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_normalized"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
