"""Copy the files of a local media folder into the configured storage (the S3 bucket).

Idempotent and resumable: a file already in the storage under the same name with the same size
is skipped, and an S3 object appears only once its upload completed (a multipart upload is
committed at its end), so an interrupted run is finished by running the command again. A file
that cannot be copied is reported and counted, and the others go on. README "Moving media to
object storage".
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from veza import storage


class Command(BaseCommand):
    help = (
        "Copy local media (MEDIA_ROOT, or --source) into the configured storage; skips files "
        "already there with the same size, so a second run resumes an interrupted one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default=None, help="Local media folder (default: MEDIA_ROOT)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be copied; copy nothing."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (logs, cron)."
        )

    def handle(self, *args, source=None, dry_run=False, no_progress=False, **options):
        root = Path(source or settings.MEDIA_ROOT).resolve()
        if not root.is_dir():
            raise CommandError(f"No media folder at {root}.")
        target = storage.storages["default"]
        if not storage.is_s3(target) and Path(target.location).resolve() == root:
            raise CommandError(
                "The default storage is this very folder: configure the bucket first "
                "(STORAGE_BACKEND=s3, AWS_STORAGE_BUCKET_NAME, ...)."
            )
        files = sorted(path for path in root.rglob("*") if path.is_file() or path.is_symlink())
        counts = {"copied": 0, "skipped": 0, "failed": 0}
        copied_bytes = 0
        failures: list[str] = []
        total = sum(path.stat().st_size for path in files if path.exists())
        bar = tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc="media",
            file=self.stderr,
            disable=no_progress,
        )
        try:
            for path in files:
                name = path.relative_to(root).as_posix()
                try:
                    size = path.stat().st_size
                    stored = storage.stored_stat(name, target)
                    if stored is not None and stored.size == size:
                        counts["skipped"] += 1
                    else:
                        if not dry_run:
                            self._copy(target, path, name)
                        counts["copied"] += 1
                        copied_bytes += size
                    bar.update(size)
                except Exception as exc:  # one bad file must not stop the others
                    counts["failed"] += 1
                    failures.append(f"{name}: {exc}")
        except KeyboardInterrupt:
            bar.close()
            self._summary(counts, copied_bytes, failures, dry_run)
            raise CommandError("Interrupted: run the command again to resume.") from None
        bar.close()
        self._summary(counts, copied_bytes, failures, dry_run)
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} file(s) failed: run the command again to retry them."
            )

    def _copy(self, target, path: Path, name: str) -> None:
        if storage.is_s3(target):
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            target.bucket.upload_file(
                str(path), storage.s3_key(target, name), ExtraArgs={"ContentType": content_type}
            )
            return
        with path.open("rb") as handle:
            storage.save_exact(name, File(handle), target)

    def _summary(self, counts, copied_bytes, failures, dry_run) -> None:
        for failure in failures:
            self.stderr.write(f"failed: {failure}")
        verb = "would copy" if dry_run else "copied"
        self.stdout.write(
            f"{verb} {counts['copied']} ({copied_bytes / 1e6:.1f} MB), "
            f"skipped {counts['skipped']}, failed {counts['failed']}"
        )
