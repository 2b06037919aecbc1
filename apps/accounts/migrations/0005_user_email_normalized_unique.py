from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: every row has its normalised address; one account per identity."""

    dependencies = [
        ("accounts", "0004_fill_email_normalized"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email_normalized",
            field=models.CharField(
                editable=False,
                help_text="The address under veza.normalization.email_normalize: the account's identity.",
                max_length=254,
                unique=True,
            ),
        ),
    ]
