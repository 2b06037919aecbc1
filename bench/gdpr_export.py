"""Benchmark: the data export of a heavy user, in its own process.

Seeds a user with 100,000 playback events, 1,000 messages and a few uploaded tracks (on the
PostgreSQL bench database of ``bench/_common.py``, media in a temporary folder), then builds
their export archive in a child process (as a Celery worker would) and reports the time and the
child's peak memory (max RSS, which includes Django itself; the baseline after start-up is
printed too).

    .venv/bin/python bench/gdpr_export.py        # or `make bench`

Targets: under 60 s and under 200 MB peak. ``BENCH_PLAYS`` and ``BENCH_MESSAGES`` change the
sizes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, bench_env, prepare_database

PLAYS = int(os.environ.get("BENCH_PLAYS", "100000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "1000"))
TRACKS = 5
TRACK_BYTES = 2 * 1024 * 1024
MAX_SECONDS = 60.0
MAX_PEAK_MB = 200.0


def _django(media_root: str) -> None:
    # The child runs tasks in-process: no broker (eager Celery), emails kept in memory.
    os.environ.update(bench_env(MEDIA_ROOT=media_root, REDIS_URL="", EMAIL_URL="memorymail://"))
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    import django

    django.setup()


def seed() -> str:
    """The heavy user and their data; returns the export id to build."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import connection

    from apps.accounts.models import Profile, User
    from apps.catalog.models import ProcessingStatus, Track
    from apps.gdpr.models import DataExport
    from apps.messaging.models import Conversation, Message, Participant

    tag = os.urandom(4).hex()
    user = User.objects.create_user(f"heavy-{tag}@example.com", f"heavy{tag}", "bench-pass-1")
    Profile.objects.filter(user=user).update(display_name="Heavy listener")
    creator = User.objects.create_user(f"creator-{tag}@example.com", f"crea{tag}", "bench-pass-1")
    tracks = []
    for index in range(TRACKS):
        name = default_storage.save(
            f"tracks/bench/{tag}-{index}.mp3", ContentFile(os.urandom(TRACK_BYTES))
        )
        tracks.append(
            Track.objects.create(
                owner=user,
                title=f"Upload {index}",
                audio_file=name,
                size=TRACK_BYTES,
                status=ProcessingStatus.READY,
            )
        )
    listened = Track.objects.create(owner=creator, title="Hit", status=ProcessingStatus.READY)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO streaming_playevent
                (track_id, creator_id, listener_id, session_id, client, source, seconds_played,
                 country, counted, uncounted_reason, created_at)
            SELECT %s, %s, %s, '', 'web', 'feed', 30 + n %% 200, 'FR', true, '',
                   now() - (n || ' seconds')::interval
            FROM generate_series(1, %s) AS n
            """,
            [listened.pk, creator.pk, user.pk, PLAYS],
        )
    friends = [
        User.objects.create_user(f"friend-{tag}-{i}@example.com", f"fr{tag}{i}", "bench-pass-1")
        for i in range(10)
    ]
    for friend in friends:
        conversation = Conversation.objects.create(
            pair_key=Conversation.pair_key_for(user.pk, friend.pk)
        )
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user=user),
                Participant(conversation=conversation, user=friend),
            ]
        )
        Message.objects.bulk_create(
            Message(
                conversation=conversation,
                sender=user if index % 2 else friend,
                body=f"message {index} " + "lorem ipsum " * 10,
            )
            for index in range(MESSAGES // len(friends))
        )
    return str(DataExport.objects.create(user=user).pk)


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` belongs to the process image, so
    unlike ``ru_maxrss`` it does not carry over the parent's peak through fork and exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(export_id: str, media_root: str) -> None:
    import time

    _django(media_root)
    from apps.gdpr import services

    baseline = peak_rss_mb()
    started = time.perf_counter()
    export = services.export_process(export_id=export_id)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    print(
        json.dumps(
            {
                "status": export.status,
                "seconds": seconds,
                "baseline_mb": baseline,
                "peak_mb": peak,
                "size": export.size,
                "file": export.file,
            }
        )
    )


def cleanup(export_id: str) -> None:
    from django.db.models import Q

    from apps.accounts.models import User
    from apps.gdpr.models import DataExport

    user_id = DataExport.objects.get(pk=export_id).user_id
    tag = User.objects.get(pk=user_id).username.removeprefix("heavy")
    User.objects.filter(Q(username__endswith=tag) | Q(username__startswith=f"fr{tag}")).delete()


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return 0
    prepare_database()
    with tempfile.TemporaryDirectory(prefix="veza-gdpr-bench-") as media_root:
        _django(media_root)
        export_id = seed()
        try:
            result = subprocess.run(
                [sys.executable, __file__, "--child", export_id, media_root],
                cwd=ROOT,
                env=bench_env(),
                check=True,
                capture_output=True,
                text=True,
            )
            outcome = json.loads(result.stdout.strip().splitlines()[-1])
            with zipfile.ZipFile(Path(media_root) / outcome["file"]) as archive:
                manifest = json.loads(archive.read("manifest.json"))
            records = {f["name"]: f["records"] for f in manifest["files"] if f["records"]}
        finally:
            cleanup(export_id)
    print(
        f"export of {PLAYS} plays, {MESSAGES} messages, {TRACKS} tracks of "
        f"{TRACK_BYTES // 1024 // 1024} MiB: {outcome['status']} in {outcome['seconds']:.1f}s, "
        f"peak RSS {outcome['peak_mb']:.0f} MB (after start-up {outcome['baseline_mb']:.0f} MB), "
        f"archive {outcome['size'] / 1024 / 1024:.1f} MiB"
    )
    print(f"records: {records}")
    failures = []
    if outcome["status"] != "ready":
        failures.append(f"the export ended {outcome['status']}")
    if records.get("playback_history.jsonl") != PLAYS:
        failures.append("playback history incomplete")
    if records.get("messages.jsonl") != MESSAGES:
        failures.append("messages incomplete")
    if outcome["seconds"] > MAX_SECONDS:
        failures.append(f"{outcome['seconds']:.1f}s is over the {MAX_SECONDS:.0f}s target")
    if outcome["peak_mb"] > MAX_PEAK_MB:
        failures.append(f"peak {outcome['peak_mb']:.0f} MB is over {MAX_PEAK_MB:.0f} MB")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
