"""Course search on PostgreSQL: trigram GIN indexes under ``?search=``.

The list filters with ``icontains`` (title or description), which PostgreSQL runs as
``UPPER(col::text) LIKE UPPER('%…%')``; a ``gin_trgm_ops`` index on that very expression
serves it. ``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database owner may create it.
On SQLite (the embedded default) this migration does nothing.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS education_course_title_trgm
    ON education_course USING gin (UPPER(title::text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS education_course_description_trgm
    ON education_course USING gin (UPPER(description::text) gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS education_course_description_trgm;
DROP INDEX IF EXISTS education_course_title_trgm;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
