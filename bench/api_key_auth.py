"""Added latency of API-key authentication + per-key rate limiting, against JWT auth.

Same endpoint (GET /api/v1/users/me), same in-process WSGI stack (every middleware), same
database and Redis; only the credential differs. The API-key path does one key+owner lookup
and one Redis EVALSHA (the atomic INCR+EXPIRE of its hourly bucket); the JWT path verifies a
signature and loads the user.

    make bench                      # or: .venv/bin/python bench/api_key_auth.py
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/api_key_auth.py

Defaults: a throw-away SQLite file and Redis at 127.0.0.1:6379/15 (`make bench` starts it).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_db_file = Path(tempfile.gettempdir()) / "veza-bench-api-key.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_db_file}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402

if os.environ["DATABASE_URL"].startswith("sqlite") and _db_file.exists():
    _db_file.unlink()
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from apps.accounts.models import ApiKey, User  # noqa: E402
from apps.accounts.services import api_key_create  # noqa: E402
from veza.api import ratelimit  # noqa: E402
from veza.audit import RequestMeta  # noqa: E402

URL = "/api/v1/users/me"
WARMUP = 200
ROUNDS = 10
PER_ROUND = 200


def timed(client: Client, headers: dict, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(URL, headers=headers)
        samples.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.content[:200]!r}")
    return samples


def summary(samples: list[float]) -> tuple[float, float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), statistics.fmean(ms), ms[int(len(ms) * 0.95) - 1]


def main() -> None:
    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # no query logging in the measured path
    cache.clear()
    user, _ = User.objects.get_or_create(
        email="bench@veza.local", defaults={"username": "bench", "is_verified": True}
    )
    ApiKey.objects.filter(user=user).delete()
    key, raw = api_key_create(user=user, name="bench", scopes=["read"], meta=RequestMeta())
    ApiKey.objects.filter(pk=key.pk).update(read_limit_per_hour=10_000_000)
    access = str(RefreshToken.for_user(user).access_token)
    client = Client()
    jwt_headers = {"Authorization": f"Bearer {access}"}
    key_headers = {"X-API-Key": raw}

    timed(client, jwt_headers, WARMUP)
    timed(client, key_headers, WARMUP)
    jwt_samples: list[float] = []
    key_samples: list[float] = []
    for _ in range(ROUNDS):  # interleaved, so drift affects both alike
        jwt_samples += timed(client, jwt_headers, PER_ROUND)
        key_samples += timed(client, key_headers, PER_ROUND)

    counter = []
    for n in range(2000):
        start = time.perf_counter()
        ratelimit.window_hit(key=f"bench:{n % 10}", limit=10**9, window=3600)
        counter.append(time.perf_counter() - start)

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"GET {URL}, {ROUNDS * PER_ROUND} requests each, database {database}, cache {backend}")
    print(f"{'auth':<22}{'median ms':>11}{'mean ms':>10}{'p95 ms':>9}")
    jwt_stats, key_stats = summary(jwt_samples), summary(key_samples)
    for name, stats in (("JWT (Bearer)", jwt_stats), ("API key + rate limit", key_stats)):
        print(f"{name:<22}{stats[0]:>11.3f}{stats[1]:>10.3f}{stats[2]:>9.3f}")
    print(
        f"added per request by API-key auth + rate limiting: median "
        f"{key_stats[0] - jwt_stats[0]:+.3f} ms, mean {key_stats[1] - jwt_stats[1]:+.3f} ms"
    )
    counter_stats = summary(counter)
    print(
        f"rate-limit counter alone (one Redis EVALSHA): median {counter_stats[0]:.3f} ms, "
        f"p95 {counter_stats[2]:.3f} ms"
    )


if __name__ == "__main__":
    main()
