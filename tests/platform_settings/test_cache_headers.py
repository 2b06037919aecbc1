"""Cache-Control by asset type (README, "Cache headers")."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from veza.cache_headers import cache_control_for


def _typed(content_type, cache_control=None):
    def view(request):
        response = HttpResponse(b"x", content_type=content_type)
        if cache_control:
            response["Cache-Control"] = cache_control
        return response

    return view


urlpatterns = [
    path("media/a.mp3", _typed("audio/mpeg")),
    path("media/private.mp3", _typed("audio/mpeg", "private, max-age=0")),
    path("media/cover.jpg", _typed("image/jpeg")),
    path("media/x/master.m3u8", _typed("application/vnd.apple.mpegurl")),
]


@pytest.mark.parametrize(
    ("path", "content_type", "expected"),
    [
        ("/api/v1/tracks/1/stream", "audio/mpeg", "public, max-age=604800"),
        ("/api/v1/tracks/1/hls/master.m3u8", "application/vnd.apple.mpegurl", "public, max-age=60"),
        ("/api/v1/tracks/1/hls/128k/seg0.ts", "video/mp2t", "public, max-age=604800"),
        ("/media/covers/a.jpg", "image/jpeg", "public, max-age=2592000"),
        ("/api/v1/users/me", "application/json", "no-cache"),
        ("/static/app.3f2a.css", "text/css", None),
    ],
)
def test_cache_control_rule_per_asset_type(path, content_type, expected):
    assert cache_control_for(path, content_type) == expected


@pytest.mark.django_db
def test_api_json_is_no_cache_and_varies_on_authorization_and_cookie(seeded, client):
    response = client.get("/api/v1/features")

    assert response["Cache-Control"] == "no-cache"
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Authorization", "Cookie", "Accept"} <= vary


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.platform_settings.test_cache_headers")
def test_media_responses_get_their_asset_rule_unless_the_view_chose(seeded, client):
    assert client.get("/media/a.mp3")["Cache-Control"] == "public, max-age=604800"
    assert client.get("/media/private.mp3")["Cache-Control"] == "private, max-age=0"
    assert client.get("/media/cover.jpg")["Cache-Control"] == "public, max-age=2592000"
    assert client.get("/media/x/master.m3u8")["Cache-Control"] == "public, max-age=60"
