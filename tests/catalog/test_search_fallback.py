"""Without PostgreSQL (the SQLite default), search falls back to case-insensitive matching."""

from types import SimpleNamespace

import pytest

from apps.catalog import selectors
from apps.catalog.selectors import tracks as track_selectors
from tests.catalog.factories import TrackFactory


@pytest.mark.django_db
def test_fallback_matches_title_artist_album_and_tags_most_played_first(monkeypatch):
    monkeypatch.setattr(track_selectors, "connection", SimpleNamespace(vendor="sqlite"))
    by_title = TrackFactory(title="Moonlight", play_count=1)
    by_artist = TrackFactory(title="x", artist_name="The Moons", play_count=5)
    by_album = TrackFactory(title="y", album="Blue MOON", play_count=3)
    by_tag = TrackFactory(title="z", tags=["moon"], play_count=2)
    TrackFactory(title="Sun")
    TrackFactory(title="Moon, private", visibility="private")

    found = selectors.track_search(query="moon")

    assert [t.id for t in found] == [by_artist.pk, by_album.pk, by_tag.pk, by_title.pk]


@pytest.mark.django_db
def test_fallback_tag_filter_matches_whole_tags_only(monkeypatch):
    monkeypatch.setattr(track_selectors, "connection", SimpleNamespace(vendor="sqlite"))
    piano = TrackFactory(tags=["piano", "night"])
    TrackFactory(tags=["pianola"])

    assert [t.pk for t in selectors.track_list(tag="Piano")] == [piano.pk]
