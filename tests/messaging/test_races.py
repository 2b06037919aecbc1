"""Starting the same conversation from both sides at once (PostgreSQL, live server)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from apps.messaging.models import Conversation, Participant
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client


@pytest.mark.django_db(transaction=True)
def test_both_users_starting_a_conversation_at_once_share_one(live_server):
    alice, bob = UserFactory(is_verified=True), UserFactory(is_verified=True)
    calls = [
        (bearer_client(alice)._credentials["HTTP_AUTHORIZATION"], str(bob.pk)),
        (bearer_client(bob)._credentials["HTTP_AUTHORIZATION"], str(alice.pk)),
    ] * 3
    start = threading.Barrier(len(calls))

    def begin(call):
        authorization, participant = call
        start.wait()
        return requests.post(
            live_server.url + "/api/v1/conversations",
            json={"participant": participant},
            headers={"Authorization": authorization},
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        responses = list(pool.map(begin, calls))

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Conversation.objects.count() == 1
    assert Participant.objects.count() == 2
