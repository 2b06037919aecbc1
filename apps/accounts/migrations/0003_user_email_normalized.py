from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 1 of 3: the column, empty (filled by 0004, made unique by 0005)."""

    dependencies = [
        ("accounts", "0002_account_security_api_keys_otp_oauth"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_normalized",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
    ]
