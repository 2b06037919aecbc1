"""PostgreSQL full-text search for tracks: a weighted tsvector kept by a trigger, GIN indexes.

Title and artist weigh A, album B, tags C, description D. The ``simple`` configuration is used
on purpose: titles and artist names are in every language and must not be stemmed as English.
On SQLite (the embedded default) this migration does nothing and search falls back to
``icontains`` (see ``apps.catalog.selectors.track_search``).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION catalog_track_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.artist_name, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.album, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(
            array_to_string(ARRAY(SELECT jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(NEW.tags::jsonb) = 'array' THEN NEW.tags::jsonb
                     ELSE '[]'::jsonb END)), ' '), '')), 'C') ||
        setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_track_search_vector_trigger
    BEFORE INSERT OR UPDATE OF title, artist_name, album, tags, description
    ON catalog_track FOR EACH ROW EXECUTE FUNCTION catalog_track_search_vector_update();

UPDATE catalog_track SET title = title;

CREATE INDEX catalog_track_search_gin ON catalog_track USING gin (search_vector);
CREATE INDEX catalog_track_tags_gin ON catalog_track USING gin (tags jsonb_path_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_track_tags_gin;
DROP INDEX IF EXISTS catalog_track_search_gin;
DROP TRIGGER IF EXISTS catalog_track_search_vector_trigger ON catalog_track;
DROP FUNCTION IF EXISTS catalog_track_search_vector_update();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_catalog_initial")]

    operations = [migrations.RunPython(forward, backward)]
