"""The export quota under real parallel requests (PostgreSQL, live server)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from apps.gdpr.models import DataExport
from tests.accounts.factories import UserFactory
from tests.conftest import bearer_client


@pytest.mark.django_db(transaction=True)
def test_four_parallel_export_requests_accept_exactly_three(live_server):
    user = UserFactory(is_verified=True)
    authorization = bearer_client(user)._credentials["HTTP_AUTHORIZATION"]
    start = threading.Barrier(4)

    def request_export():
        start.wait()
        return requests.post(
            live_server.url + "/api/v1/users/me/export",
            headers={"Authorization": authorization},
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: request_export(), range(4)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [202, 202, 202, 429]
    refused = next(response for response in responses if response.status_code == 429)
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) > 86000
    assert DataExport.objects.filter(user=user).count() == 3
