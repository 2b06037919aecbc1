"""OpenAPI examples of uploading a track (values as the API really answers)."""

from veza.api.examples import error_example, request_example, response_example

TRACK_ID = "05ea11ae-47aa-433b-93f2-577fbb8c928b"

UPLOADED_TRACK = {
    "id": TRACK_ID,
    "owner": {
        "id": "effa4225-c074-4b85-8268-2aef934847c8",
        "username": "ada",
        "display_name": "ada",
    },
    "title": "First light",
    "artist_name": "",
    "album": "",
    "genre": "Ambient",
    "tags": [],
    "description": "",
    "duration": None,
    "bitrate": None,
    "codec": "pcm_s16le",
    "size": 264644,
    "sha256": "fd442d2912cf62344e1a473a0b773dd011ac1b959ff92260a6bb6338a7a32a55",
    "content_type": "audio/wav",
    "cover_image": None,
    "visibility": "public",
    "status": "processing",
    "failure_reason": "",
    "moderation_status": "active",
    "hls_status": "none",
    "play_count": 0,
    "stream_url": f"/api/v1/tracks/{TRACK_ID}/stream",
    "download_url": f"/api/v1/tracks/{TRACK_ID}/download",
    "hls_url": None,
    "created_at": "2026-11-28T09:18:59.330707Z",
    "updated_at": "2026-11-28T09:18:59.339111Z",
}

UPLOAD_EXAMPLES = [
    request_example(
        "An audio file with its title",
        {"file": "(the audio file's bytes)", "title": "First light", "genre": "Ambient"},
        description=(
            "multipart/form-data, e.g. `curl -F file=@first-light.wav -F title='First light'`."
        ),
        media_type="multipart/form-data",
    ),
    response_example(
        "Accepted, processing",
        UPLOADED_TRACK,
        status=201,
        description=(
            "Poll GET /api/v1/tracks/{id} until `status` is `ready` (or `failed`, with "
            "`failure_reason`); `duration` and `bitrate` are filled in then."
        ),
    ),
    error_example(
        "Not a creator",
        status=403,
        code="CREATOR_ROLE_REQUIRED",
        message="This needs a creator account. Upgrade from your account settings.",
    ),
    error_example(
        "A video instead of audio",
        status=415,
        code="UNSUPPORTED_MEDIA_TYPE",
        message="The file is a video; upload the audio alone.",
    ),
]
