"""veza.api.renderers.JSONRenderer: orjson's speed, DRF's bytes."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from tests.catalog.factories import TrackFactory
from tests.conftest import bearer_client
from veza.api.renderers import JSONRenderer

PAYLOADS = [
    {"count": 2, "next": None, "previous": "https://x.test/api/v1/tracks?page=1", "results": []},
    {"when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)},
    {"when": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)},
    {"when": datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))},
    {"naive": datetime(2026, 1, 2, 3, 4, 5), "day": date(2026, 1, 2), "at": time(3, 4, 5)},
    {"money": Decimal("19.90"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"text": 'Zoë Ünicode — 日本語 \u2028 line \u2029 para "quoted" \\ back\n\t'},
    {"lazy": gettext_lazy("Not found."), "detail": ErrorDetail("Bad", code="invalid")},
    {1: "int key", "nested": [{"a": [1, 2.5, True, False, None]}], "tuple": (1, 2)},
    OrderedDict([("b", 1), ("a", 2)]),
    ReturnDict({"x": 1}, serializer=None),
    ReturnList([{"x": 1}], serializer=None),
    {"floats": [0.1, 1.5, 180.0, -2.25, 12345.678]},
    [],
    {},
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_bytes_are_drfs(payload):
    assert JSONRenderer().render(payload) == renderers.JSONRenderer().render(payload)


def test_an_indent_asked_for_is_drfs_pretty_print():
    payload = {"a": [1, 2]}
    accepted = "application/json; indent=4"
    assert JSONRenderer().render(payload, accepted, {}) == renderers.JSONRenderer().render(
        payload, accepted, {}
    )
    assert b"\n    " in JSONRenderer().render(payload, accepted, {})


def test_what_orjson_refuses_falls_back_to_drf():
    huge = {"n": 2**70}
    assert JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'


def test_no_data_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_an_api_answer_is_what_drf_would_have_sent():
    track = TrackFactory(title="Zoë \u2028 title", tags=["a", "b"])
    response = bearer_client(track.owner).get(f"/api/v1/tracks/{track.pk}")
    assert response.status_code == 200
    assert response.content == renderers.JSONRenderer().render(response.data)
