"""Catalog: tracks (with the audio the user uploaded), playlists, library and follows."""

from __future__ import annotations

import posixpath

from django.db.models import Prefetch

from apps.catalog.models import Follow, LibraryEntry, Playlist, PlaylistEntry, Track
from apps.gdpr.exporters.base import CHUNK_SIZE, Exporter, person


def _tracks(user, cut_off):
    return Track.objects.filter(owner=user, created_at__lte=cut_off).order_by("created_at", "id")


def _audio_path(track) -> str | None:
    if not track.audio_file:
        return None
    return f"tracks/{track.pk}/{posixpath.basename(track.audio_file.name)}"


def _cover_path(track) -> str | None:
    if not track.cover_image:
        return None
    return f"tracks/{track.pk}/cover-{posixpath.basename(track.cover_image.name)}"


def track_rows(user, cut_off):
    for track in _tracks(user, cut_off).iterator(chunk_size=CHUNK_SIZE):
        yield {
            "id": str(track.pk),
            "title": track.title,
            "artist_name": track.artist_name,
            "album": track.album,
            "genre": track.genre,
            "tags": track.tags,
            "description": track.description,
            "visibility": track.visibility,
            "status": track.status,
            "duration": track.duration,
            "size": track.size,
            "sha256": track.sha256,
            "play_count": track.play_count,
            "created_at": track.created_at,
            "audio_file": _audio_path(track),
            "cover_image": _cover_path(track),
        }


def track_media(user, cut_off):
    tracks = _tracks(user, cut_off).only("id", "audio_file", "cover_image")
    for track in tracks.iterator(chunk_size=CHUNK_SIZE):
        if path := _audio_path(track):
            yield path, track.audio_file.name
        if path := _cover_path(track):
            yield path, track.cover_image.name


def playlist_rows(user, cut_off):
    playlists = (
        Playlist.objects.filter(owner=user, created_at__lte=cut_off)
        .order_by("created_at", "id")
        .prefetch_related(
            Prefetch(
                "entries", queryset=PlaylistEntry.objects.select_related("track__owner__profile")
            )
        )
    )
    for playlist in playlists.iterator(chunk_size=200):
        yield {
            "id": str(playlist.pk),
            "title": playlist.title,
            "description": playlist.description,
            "visibility": playlist.visibility,
            "created_at": playlist.created_at,
            "tracks": [
                {
                    "position": entry.position,
                    "track_id": str(entry.track_id),
                    "title": entry.track.title,
                    "owner": person(entry.track.owner),
                    "added_at": entry.added_at,
                }
                for entry in playlist.entries.all()
            ],
        }


def library_rows(user, cut_off):
    entries = (
        LibraryEntry.objects.filter(user=user, created_at__lte=cut_off)
        .select_related("track__owner__profile")
        .order_by("created_at", "id")
    )
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "track_id": str(entry.track_id),
            "title": entry.track.title,
            "owner": person(entry.track.owner),
            "saved_at": entry.created_at,
        }


def follow_rows(user, cut_off):
    following = (
        Follow.objects.filter(follower=user, created_at__lte=cut_off)
        .select_related("followee__profile")
        .order_by("created_at", "id")
    )
    for follow in following.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "direction": "following",
            "user": person(follow.followee),
            "since": follow.created_at,
        }
    followers = (
        Follow.objects.filter(followee=user, created_at__lte=cut_off)
        .select_related("follower__profile")
        .order_by("created_at", "id")
    )
    for follow in followers.iterator(chunk_size=CHUNK_SIZE):
        yield {"direction": "follower", "user": person(follow.follower), "since": follow.created_at}


EXPORTERS = [
    Exporter(
        "tracks.jsonl",
        "Tracks you uploaded, with their details; the audio files and covers themselves are "
        "in the tracks/ folder (the paths are in each line's audio_file and cover_image).",
        track_rows,
        media=track_media,
    ),
    Exporter(
        "playlists.jsonl",
        "Your playlists and the tracks in them (other creators shown by name and id only).",
        playlist_rows,
    ),
    Exporter("library.jsonl", "Tracks you saved to your library.", library_rows),
    Exporter(
        "follows.jsonl",
        "People you follow and people who follow you (name and id only).",
        follow_rows,
    ),
]
