"""The OpenAPI document teaches: every operation and tag is described, the main journeys have
examples, the security schemes say how to get a credential, and nothing internal leaks."""

import re

import pytest

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# What must never reach API clients: ticket numbers, work notes, module paths, file names,
# the project's internal documents.
INTERNAL_NOTE = re.compile(
    r"#\d+|\bissue\s*\d+|\bTODO\b|\bFIXME\b|\bHACK\b|\binternal note|"
    r"\b(?:apps|veza)\.[a-z_]+\.[a-z_]+|\b[a-z_]+\.py\b|shared/API\.md|\bREADME\b|changelog|"
    r"Go's\b|\bN\+1\b|\bselectors?\b|\bservices\.",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def test_every_operation_has_a_summary_and_a_description(document):
    missing = [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if not operation.get("summary", "").strip()
        or len(operation.get("description", "").strip()) < 20
    ]

    assert not missing, missing


def test_every_tag_an_operation_uses_is_declared_with_a_description(document):
    used = {tag for _, _, operation in operations(document) for tag in operation.get("tags", [])}
    declared = {tag["name"]: tag.get("description", "").strip() for tag in document["tags"]}

    assert used, "no operation has a tag"
    assert not used - set(declared), sorted(used - set(declared))
    assert not [name for name in used if len(declared[name]) < 20]


def test_every_operation_has_exactly_one_tag(document):
    assert not [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if len(operation.get("tags", [])) != 1
    ]


def test_nothing_internal_leaks_into_the_document(document):
    leaks = []

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary", "title") and isinstance(value, str):
                    match = INTERNAL_NOTE.search(value)
                    if match:
                        leaks.append((where + "/" + key, match.group(0), value[:120]))
                else:
                    walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(document, "")

    assert not leaks, leaks


def test_the_document_names_its_server(document, settings):
    assert document["servers"], document.get("servers")
    assert document["servers"][0]["url"] in (settings.PUBLIC_API_URL, "/")
    assert document["servers"][0]["description"]


def test_the_security_schemes_say_how_to_get_a_credential(document):
    schemes = document["components"]["securitySchemes"]

    assert "POST /api/v1/auth/login" in schemes["jwtAuth"]["description"]
    assert "Authorization: Bearer <access>" in schemes["jwtAuth"]["description"]
    assert "/api/v1/auth/token/refresh" in schemes["jwtAuth"]["description"]
    assert "POST /api/v1/developer/api-keys" in schemes["ApiKeyAuth"]["description"]
    assert schemes["cookieAuth"]["description"]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/v1/auth/register", {"201", "400"}),
        ("post", "/api/v1/auth/login", {"200", "401"}),
        ("post", "/api/v1/tracks", {"201", "403", "415"}),
        ("post", "/api/v1/billing/subscription", {"201", "402"}),
    ],
)
def test_the_main_journeys_carry_request_and_response_examples(document, method, path, statuses):
    operation = document["paths"][path][method]

    request_examples = [
        content.get("examples", {}) for content in operation["requestBody"]["content"].values()
    ]
    assert all(request_examples), request_examples
    for status in statuses:
        content = operation["responses"][status]["content"]
        assert any(media.get("examples") for media in content.values()), status


def test_streaming_documents_byte_ranges_with_examples(document):
    for path in ("/api/v1/tracks/{track_id}/stream", "/api/v1/tracks/{track_id}/download"):
        operation = document["paths"][path]["get"]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}

        assert {"Range", "If-Range", "If-None-Match", "If-Modified-Since"} <= set(headers)
        range_examples = [e["value"] for e in headers["Range"]["examples"].values()]
        assert range_examples == ["bytes=0-1023", "bytes=1024-", "bytes=-50"]
        assert {"200", "206", "304", "416"} <= set(operation["responses"])


def test_no_operation_needs_a_body_the_schema_cannot_carry(document):
    assert not [
        f"{method} {path}"
        for method, path, operation in operations(document)
        if method in ("GET", "DELETE", "HEAD") and "requestBody" in operation
    ]
