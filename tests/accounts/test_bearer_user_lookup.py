"""The bearer token's user is read with one precompiled query: the same row, the same refusals
(unknown, inactive, older session), one query per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.accounts.services.sessions import session_tokens_issue
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error
from veza.api.authentication import _user_by_id

pytestmark = pytest.mark.django_db


def test_the_precompiled_lookup_returns_the_orms_user():
    user = UserFactory(role="creator", is_verified=True)
    found = _user_by_id(User, str(user.pk))
    expected = User.objects.get(pk=user.pk)
    assert found == expected
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert found._state.adding is False
    assert found._state.db == "default"


def test_the_lookup_is_one_query_whichever_user():
    first, second = UserFactory(), UserFactory()
    _user_by_id(User, str(first.pk))
    with CaptureQueriesContext(connection) as queries:
        assert _user_by_id(User, str(second.pk)) == second
    assert len(queries) == 1
    assert str(second.pk.hex) in queries[0]["sql"].replace("-", "")


def test_a_token_of_a_deleted_user_is_refused():
    user = UserFactory()
    client = bearer_client(user)
    User.objects.filter(pk=user.pk).delete()

    response = client.get("/api/v1/users/me")

    assert_error(response, 401, "INVALID_TOKEN")


def test_a_token_of_a_deactivated_user_is_refused():
    user = UserFactory()
    client = bearer_client(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = client.get("/api/v1/users/me")

    assert_error(response, 401, "INVALID_TOKEN")
    assert response.json()["error"]["message"] == "User is inactive"


def test_a_token_older_than_the_session_version_is_refused_at_once():
    user = UserFactory()
    client = bearer_client(user)
    assert client.get("/api/v1/users/me").status_code == 200
    User.objects.filter(pk=user.pk).update(session_version=user.session_version + 1)

    assert_error(client.get("/api/v1/users/me"), 401, "INVALID_TOKEN")


def test_a_fresh_token_after_the_version_change_works():
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(session_version=3)
    user.refresh_from_db()
    token = session_tokens_issue(user=user, otp_verified=False)

    response = bearer_client(user).get("/api/v1/users/me")  # issued after the change too
    assert response.status_code == 200
    assert token["sv"] == 3
