"""CompiledGet reads one row by a unique column with SQL compiled once: the ORM's own instances
(select_related and deferred fields included), one counted query, the ORM's refusals."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Track
from apps.catalog.selectors import tracks_with_owner
from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from veza.compiled_get import CompiledGet

pytestmark = pytest.mark.django_db


def _values(instance):
    return [
        getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
        if field.attname not in instance.get_deferred_fields()
    ]


def test_the_compiled_read_returns_what_the_orm_returns_with_its_joined_rows():
    track = TrackFactory(tags=["a", "b"], duration=12.5)
    read = CompiledGet(tracks_with_owner)

    found = read(track.pk)
    expected = tracks_with_owner().get(pk=track.pk)

    assert found == expected
    assert _values(found) == _values(expected)
    assert found.get_deferred_fields() == expected.get_deferred_fields() == {"search_vector"}
    assert found._state.adding is False
    assert found._state.db == "default"
    with CaptureQueriesContext(connection) as queries:  # owner and profile came in the join
        assert _values(found.owner) == _values(expected.owner)
        assert found.owner.profile.display_name == expected.owner.profile.display_name
    assert len(queries) == 0


def test_it_is_one_query_whichever_row_and_accepts_the_id_as_text():
    first, second = TrackFactory(), TrackFactory()
    read = CompiledGet(tracks_with_owner)
    read(first.pk)

    with CaptureQueriesContext(connection) as queries:
        assert read(str(second.pk)) == second

    assert len(queries) == 1
    assert str(second.pk.hex) in queries[0]["sql"].replace("-", "")


def test_a_missing_row_is_the_models_does_not_exist():
    read = CompiledGet(tracks_with_owner)
    TrackFactory()
    read(Track.objects.get().pk)

    with pytest.raises(Track.DoesNotExist):
        read(uuid.uuid4())
    with pytest.raises(Track.DoesNotExist):
        read(None)


def test_only_a_unique_column_and_a_plain_read_compile():
    track = TrackFactory()

    with pytest.raises(ValueError, match="not unique"):
        CompiledGet(Track.objects.all, field="title")(track.title)
    with pytest.raises(ValueError, match="prefetch"):
        CompiledGet(lambda: Track.objects.prefetch_related("owner"))(track.pk)


def test_a_tracks_detail_is_one_query_with_a_known_bearer(django_assert_num_queries):
    track = TrackFactory()
    client = bearer_client(track.owner)
    other = TrackFactory()
    client.get(f"/api/v1/tracks/{track.pk}")  # compiled once per process, the user kept

    with django_assert_num_queries(1):  # the track with its owner (veza.api.bearer_users)
        response = client.get(f"/api/v1/tracks/{other.pk}")

    assert response.status_code == 200
