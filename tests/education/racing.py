"""Real parallel HTTP requests against the live test server, for the race tests."""

import time

import requests


def send(method: str, url: str, **kwargs) -> requests.Response:
    """One request; a connection refused or reset before any answer (the test server's small
    listen backlog under load) is tried again, so the race itself is what the test measures."""
    for attempt in range(3):
        try:
            return requests.request(method, url, timeout=60, **kwargs)
        except requests.ConnectionError:
            if attempt == 2:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")
