"""Direct messages between two users (shared/API.md, Messages)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.messaging.models import Block, Conversation, Message, Participant
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client
from tests.messaging.factories import BlockFactory, MessageFactory, conversation_between

pytestmark = pytest.mark.django_db


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]["code"]


@pytest.fixture
def alice():
    return UserFactory(is_verified=True, profile__display_name="Alice")


@pytest.fixture
def bob():
    return UserFactory(is_verified=True, profile__display_name="Bob")


def test_a_user_starts_a_conversation_with_another_user(alice, bob):
    response = bearer_client(alice).post(
        "/api/v1/conversations", {"participant": str(bob.pk)}, format="json"
    )

    assert response.status_code == 201
    conversation = Conversation.objects.get()
    assert response.json()["id"] == str(conversation.pk)
    assert response.json()["participants"] == [
        {"id": str(alice.pk), "display_name": "Alice"},
        {"id": str(bob.pk), "display_name": "Bob"},
    ]
    assert set(Participant.objects.values_list("user_id", flat=True)) == {alice.pk, bob.pk}


def test_starting_the_same_conversation_again_returns_the_existing_one(alice, bob):
    conversation = conversation_between(alice, bob)

    response = bearer_client(bob).post(
        "/api/v1/conversations", {"participant": str(alice.pk)}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["id"] == str(conversation.pk)
    assert Conversation.objects.count() == 1


def test_a_conversation_with_oneself_is_refused(alice):
    response = bearer_client(alice).post(
        "/api/v1/conversations", {"participant": str(alice.pk)}, format="json"
    )

    assert response.status_code == 400
    assert error_code(response) == "VALIDATION_ERROR"
    assert Conversation.objects.count() == 0


def test_a_conversation_with_an_unknown_user_is_not_found(alice):
    response = bearer_client(alice).post(
        "/api/v1/conversations",
        {"participant": "00000000-0000-0000-0000-000000000000"},
        format="json",
    )

    assert response.status_code == 404
    assert error_code(response) == "NOT_FOUND"


def test_a_participant_sends_a_message(alice, bob):
    conversation = conversation_between(alice, bob)

    response = bearer_client(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "  hello  "}, format="json"
    )

    assert response.status_code == 201
    message = Message.objects.get()
    assert (message.sender, message.body, message.read_at) == (alice, "hello", None)
    assert response.json() == {
        "id": str(message.pk),
        "conversation": str(conversation.pk),
        "sender": {"id": str(alice.pk), "display_name": "Alice"},
        "body": "hello",
        "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
        "read_at": None,
    }
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at


def test_messages_are_listed_newest_first_and_marked_read_by_the_recipient(alice, bob):
    conversation = conversation_between(alice, bob)
    now = timezone.now()
    older = MessageFactory(conversation=conversation, sender=alice, created_at=now - timedelta(1))
    newer = MessageFactory(conversation=conversation, sender=bob, created_at=now)

    response = bearer_client(bob).get(f"/api/v1/conversations/{conversation.pk}/messages")

    assert response.status_code == 200
    assert [m["id"] for m in response.json()["results"]] == [str(newer.pk), str(older.pk)]
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None
    assert newer.read_at is None  # bob's own message is not "read" by bob


def test_a_non_participant_gets_not_found_for_messages(alice, bob):
    conversation = conversation_between(alice, bob)
    MessageFactory(conversation=conversation, sender=alice)
    outsider = bearer_client(UserFactory(is_verified=True))

    read = outsider.get(f"/api/v1/conversations/{conversation.pk}/messages")
    write = outsider.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "hi"}, format="json"
    )

    assert (read.status_code, error_code(read)) == (404, "NOT_FOUND")
    assert (write.status_code, error_code(write)) == (404, "NOT_FOUND")
    assert Message.objects.count() == 1
    assert Message.objects.get().read_at is None


def test_the_conversation_list_shows_only_the_callers_conversations(alice, bob):
    mine = conversation_between(alice, bob)
    conversation_between(bob, UserFactory(is_verified=True))

    response = bearer_client(alice).get("/api/v1/conversations")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [c["id"] for c in response.json()["results"]] == [str(mine.pk)]


def test_a_blocked_user_cannot_send_messages(alice, bob):
    conversation = conversation_between(alice, bob)
    BlockFactory(blocker=bob, blocked=alice)

    response = bearer_client(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "hi"}, format="json"
    )

    assert response.status_code == 403
    assert error_code(response) == "BLOCKED"
    assert Message.objects.count() == 0


def test_the_blocker_cannot_write_to_the_blocked_user_either(alice, bob):
    conversation = conversation_between(alice, bob)
    BlockFactory(blocker=bob, blocked=alice)

    response = bearer_client(bob).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "hi"}, format="json"
    )

    assert (response.status_code, error_code(response)) == (403, "BLOCKED")


def test_a_blocked_user_cannot_start_a_conversation(alice, bob):
    BlockFactory(blocker=bob, blocked=alice)

    response = bearer_client(alice).post(
        "/api/v1/conversations", {"participant": str(bob.pk)}, format="json"
    )

    assert (response.status_code, error_code(response)) == (403, "BLOCKED")
    assert Conversation.objects.count() == 0


def test_a_user_blocks_and_unblocks_another_user(alice, bob):
    client = bearer_client(alice)

    blocked = client.post("/api/v1/blocks", {"user": str(bob.pk)}, format="json")
    listed = client.get("/api/v1/blocks")
    unblocked = client.delete(f"/api/v1/blocks/{bob.pk}")

    assert blocked.status_code == 201
    assert blocked.json()["user"] == {"id": str(bob.pk), "display_name": "Bob"}
    assert [b["user"]["id"] for b in listed.json()["results"]] == [str(bob.pk)]
    assert unblocked.status_code == 204
    assert Block.objects.count() == 0


def test_messages_need_a_login(api_client):
    response = api_client.get("/api/v1/conversations")

    assert (response.status_code, error_code(response)) == (401, "AUTHENTICATION_REQUIRED")


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_conversations_takes_the_same_queries_for_1_and_20(
    alice, rows, django_assert_num_queries
):
    for _ in range(rows):
        conversation_between(alice, UserFactory(is_verified=True))
    client = bearer_client(alice)

    # session user, count, page, participants with their profiles
    with django_assert_num_queries(4):
        response = client.get("/api/v1/conversations")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_messages_takes_the_same_queries_for_1_and_20(
    alice, bob, rows, django_assert_num_queries
):
    conversation = conversation_between(alice, bob)
    for index in range(rows):
        MessageFactory(conversation=conversation, sender=alice if index % 2 else bob)
    client = bearer_client(alice)

    # session user, conversation, its participants, read receipts, count, page
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/conversations/{conversation.pk}/messages")

    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_listing_blocks_takes_the_same_queries_for_1_and_20(alice, rows, django_assert_num_queries):
    for _ in range(rows):
        BlockFactory(blocker=alice, blocked=UserFactory(is_verified=True))
    client = bearer_client(alice)

    with django_assert_num_queries(3):  # session user, count, page with profiles
        response = client.get("/api/v1/blocks")

    assert len(response.json()["results"]) == rows
