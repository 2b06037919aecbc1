from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_email_normalized_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_version",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Copied into every access token; raising it ends every access token issued before (password change or reset, ownership proven by email).",
            ),
        ),
    ]
