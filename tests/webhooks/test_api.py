"""``/api/v1/developer/webhooks``: owner only, secret shown once, a cap per account, https in
production, private literal addresses refused, API keys within their scopes."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import AuditLog
from apps.accounts.services import api_key_create
from apps.webhooks.catalogue import EVENT_TYPES
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.helpers import assert_error
from tests.webhooks.factories import WebhookAttemptFactory, WebhookEndpointFactory
from veza.audit import RequestMeta

pytestmark = pytest.mark.django_db

URL = "/api/v1/developer/webhooks"
BODY = {
    "url": "https://hooks.example.com/veza",
    "event_types": ["track.ready", "invoice.paid"],
    "description": "CI",
}


def key_client(user, scopes) -> APIClient:
    _, raw = api_key_create(user=user, name="integration", scopes=scopes, meta=RequestMeta())
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return client


def test_creating_an_endpoint_shows_its_secret_once(user, user_client):
    response = user_client.post(URL, BODY, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["url"] == BODY["url"]
    assert body["event_types"] == ["track.ready", "invoice.paid"]
    assert body["is_active"] is True
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.owner == user
    assert body["secret"] not in endpoint.secret  # stored encrypted
    listed = user_client.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in user_client.get(f"{URL}/{endpoint.pk}").json()
    entry = AuditLog.objects.get(action="webhook.create")
    assert (entry.actor, entry.target_id) == (user, str(endpoint.pk))


def test_rotating_returns_a_new_secret_and_keeps_the_old_one_valid_for_a_day(user, user_client):
    first = user_client.post(URL, BODY, format="json").json()

    response = user_client.post(f"{URL}/{first['id']}/rotate-secret")

    assert response.status_code == 200
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != first["secret"]
    assert body["previous_secret_expires_at"] is not None
    assert AuditLog.objects.filter(action="webhook.secret_rotate").count() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/veza", "The URL must start with https://."),
        ("https://user:pw@hooks.example.com/", "The URL must not contain credentials."),
        ("https://127.0.0.1/hook", "The URL points to a private or reserved address."),
        ("https://[::1]/hook", "The URL points to a private or reserved address."),
        ("https://169.254.169.254/latest", "The URL points to a private or reserved address."),
        ("https://localhost/hook", "The URL points to a local host name."),
    ],
)
def test_urls_that_can_never_be_delivered_to_are_refused(url, message, user_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = True  # as in production (DEBUG off)

    response = user_client.post(URL, {**BODY, "url": url}, format="json")

    assert_error(response, 400, "VALIDATION_ERROR", details={"url": [message]})
    assert WebhookEndpoint.objects.count() == 0


def test_plain_http_is_accepted_while_debugging(user_client, settings):
    settings.WEBHOOKS_REQUIRE_HTTPS = False

    response = user_client.post(URL, {**BODY, "url": "http://hooks.example.com/"}, format="json")

    assert response.status_code == 201


def test_unknown_event_types_are_refused(user_client):
    response = user_client.post(URL, {**BODY, "event_types": ["track.exploded"]}, format="json")

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(error["details"]) == ["event_types.0"]


def test_an_account_has_at_most_the_configured_number_of_endpoints(user, user_client, settings):
    settings.WEBHOOKS_MAX_PER_USER = 2
    WebhookEndpointFactory.create_batch(2, owner=user)

    response = user_client.post(URL, BODY, format="json")

    assert_error(response, 409, "WEBHOOK_LIMIT_REACHED", details={"limit": 2})
    assert WebhookEndpoint.objects.count() == 2


def test_an_unverified_account_cannot_add_an_endpoint():
    client = bearer_client(UserFactory(verified=False))

    assert_error(client.post(URL, BODY, format="json"), 403, "EMAIL_NOT_VERIFIED")
    assert WebhookEndpoint.objects.count() == 0


def test_anonymous_callers_are_refused(api_client):
    assert_error(api_client.get(URL), 401, "AUTHENTICATION_REQUIRED")


def test_a_write_scoped_api_key_manages_endpoints_and_a_read_key_only_reads(user):
    writer = key_client(user, ["write"])
    reader = key_client(user, ["read"])

    created = writer.post(URL, BODY, format="json")
    assert created.status_code == 201
    assert reader.get(URL).json()["count"] == 1
    assert_error(reader.post(URL, BODY, format="json"), 403, "API_KEY_SCOPE")
    assert_error(reader.delete(f"{URL}/{created.json()['id']}"), 403, "API_KEY_SCOPE")
    assert writer.delete(f"{URL}/{created.json()['id']}").status_code == 204
    assert WebhookEndpoint.objects.count() == 0


def test_another_accounts_endpoint_answers_404_everywhere(user_client, settings):
    theirs = WebhookEndpointFactory()
    delivery = WebhookAttemptFactory(delivery__endpoint=theirs).delivery
    base = f"{URL}/{theirs.pk}"

    assert_error(user_client.get(base), 404, "NOT_FOUND")
    assert_error(user_client.patch(base, {"description": "mine"}, format="json"), 404, "NOT_FOUND")
    assert_error(user_client.delete(base), 404, "NOT_FOUND")
    assert_error(user_client.post(f"{base}/rotate-secret"), 404, "NOT_FOUND")
    assert_error(user_client.post(f"{base}/ping"), 404, "NOT_FOUND")
    assert_error(user_client.get(f"{base}/deliveries"), 404, "NOT_FOUND")
    assert_error(user_client.post(f"{base}/deliveries/{delivery.pk}/redeliver"), 404, "NOT_FOUND")
    assert user_client.get(URL).json()["count"] == 0
    theirs.refresh_from_db()
    assert (theirs.description, theirs.is_active) == ("Integration", True)
    assert WebhookDelivery.objects.count() == 1


def test_a_delivery_of_another_endpoint_answers_404(user, user_client):
    mine = WebhookEndpointFactory(owner=user)
    other = WebhookAttemptFactory(delivery__endpoint__owner=user).delivery

    response = user_client.post(f"{URL}/{mine.pk}/deliveries/{other.pk}/redeliver")

    assert_error(response, 404, "NOT_FOUND")


def test_patch_changes_fields_and_switching_back_on_clears_the_failure_streak(user, user_client):
    endpoint = WebhookEndpointFactory(
        owner=user, is_active=False, disabled_reason="failing", failing_since="2026-01-01T00:00Z"
    )

    response = user_client.patch(
        f"{URL}/{endpoint.pk}",
        {"is_active": True, "event_types": ["export.ready"], "description": "new"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["is_active"], body["event_types"], body["description"]) == (
        True,
        ["export.ready"],
        "new",
    )
    assert (body["failing_since"], body["disabled_reason"], body["disabled_at"]) == (None, "", None)
    entry = AuditLog.objects.get(action="webhook.update")
    assert entry.metadata["fields"] == ["description", "event_types", "is_active"]


def test_deleting_an_endpoint_removes_it_and_its_log(user, user_client):
    endpoint = WebhookAttemptFactory(delivery__endpoint__owner=user).delivery.endpoint

    assert user_client.delete(f"{URL}/{endpoint.pk}").status_code == 204

    assert WebhookEndpoint.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert AuditLog.objects.filter(action="webhook.delete").count() == 1


def test_ping_queues_a_test_event_and_redeliver_sends_the_same_event_again(
    user, user_client, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "apps.webhooks.tasks.delivery_attempt.delay", lambda delivery_id: sent.append(delivery_id)
    )
    endpoint = WebhookEndpointFactory(owner=user)

    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(f"{URL}/{endpoint.pk}/ping")

    assert response.status_code == 202
    ping = response.json()
    assert (ping["event_type"], ping["status"], ping["is_manual"]) == ("ping", "pending", True)
    assert sent == [ping["id"]]
    with django_capture_on_commit_callbacks(execute=True):
        again = user_client.post(f"{URL}/{endpoint.pk}/deliveries/{ping['id']}/redeliver")
    assert again.status_code == 202
    assert again.json()["event_id"] == ping["event_id"]
    assert again.json()["id"] != ping["id"]
    assert sent == [ping["id"], again.json()["id"]]


def test_the_event_catalogue_is_public_and_complete(api_client):
    response = api_client.get(f"{URL}/event-types")

    assert response.status_code == 200
    rows = response.json()
    assert [row["type"] for row in rows] == list(EVENT_TYPES)
    assert {row["example"]["type"] for row in rows} == set(EVENT_TYPES)
    assert all(
        set(row["example"]) == {"id", "type", "created", "api_version", "data"} for row in rows
    )


def test_listing_endpoints_costs_the_same_queries_for_one_or_twenty(
    user, user_client, django_assert_num_queries
):
    WebhookEndpointFactory(owner=user)
    with django_assert_num_queries(3):  # user (JWT, first request), count, page
        assert user_client.get(URL).json()["count"] == 1
    WebhookEndpointFactory.create_batch(19, owner=user)
    with django_assert_num_queries(2):  # count, page (the user is kept: veza.api.bearer_users)
        assert user_client.get(URL).json()["count"] == 20


def test_the_delivery_log_costs_the_same_queries_for_one_or_twenty(
    user, user_client, django_assert_num_queries
):
    endpoint = WebhookEndpointFactory(owner=user)
    WebhookAttemptFactory(delivery__endpoint=endpoint)
    log = f"{URL}/{endpoint.pk}/deliveries"
    # user (JWT, first request), endpoint, count, page with events, attempts
    with django_assert_num_queries(5):
        body = user_client.get(log).json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row["attempt_log"][0]["status_code"] == 500
    for _ in range(19):
        WebhookAttemptFactory(delivery__endpoint=endpoint)
    with django_assert_num_queries(4):  # the same without the user (veza.api.bearer_users)
        assert user_client.get(log).json()["count"] == 20
