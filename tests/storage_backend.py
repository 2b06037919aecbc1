"""The storage backend the suite runs on: local disk (default) or a real S3-compatible server.

``VEZA_TEST_STORAGE=s3`` makes every test that uses the ``media_root`` fixture (catalog,
streaming, education, personal data) store its files in a fresh bucket of moto's standalone
S3 server, started once per session on a free loopback port (no mocks of boto3: the requests
go over HTTP). ``make test`` runs the media test folders a second time that way.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage

TEST_STORAGE = os.environ.get("VEZA_TEST_STORAGE", "local")
S3_REGION = "us-east-1"
S3_ACCESS_KEY = "veza-test-key"
S3_SECRET_KEY = "veza-test-secret"


@dataclass(frozen=True)
class S3Bucket:
    endpoint: str
    name: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
        )

    def object_keys(self) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def multipart_uploads(self) -> list[str]:
        return [
            upload["Key"]
            for upload in self.client().list_multipart_uploads(Bucket=self.name).get("Uploads", [])
        ]


def s3_options(bucket: S3Bucket) -> dict:
    """The ``S3Storage`` options production builds from the AWS_* variables (veza/settings.py)."""
    return {
        "bucket_name": bucket.name,
        "endpoint_url": bucket.endpoint,
        "region_name": S3_REGION,
        "access_key": S3_ACCESS_KEY,
        "secret_key": S3_SECRET_KEY,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": settings.MEDIA_IMAGE_URL_TTL,
        "file_overwrite": False,
        "addressing_style": "path",
        "signature_version": "s3v4",
    }


def s3_bucket_create(endpoint: str) -> S3Bucket:
    bucket = S3Bucket(endpoint=endpoint, name=f"veza-test-{uuid.uuid4().hex[:16]}")
    bucket.client().create_bucket(Bucket=bucket.name)
    return bucket


def s3_bucket_use(settings_fixture, bucket: S3Bucket) -> None:
    """Point the default storage at ``bucket`` (Django resets its storages on the change)."""
    settings_fixture.STORAGES = {
        **settings_fixture.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(bucket)},
    }


def storage_env() -> dict[str, str]:
    """Environment for a server process (gunicorn) that must see the test's storage."""
    default = settings.STORAGES["default"]
    env = {
        "STREAM_DELIVERY": settings.STREAM_DELIVERY,
        "STREAM_URL_TTL": str(settings.STREAM_URL_TTL),
        "STREAM_ACCEL_REDIRECT": settings.STREAM_ACCEL_REDIRECT,
        "STREAM_SIGNED_PREFIX": settings.STREAM_SIGNED_PREFIX,
        "STREAM_SIGNED_SECRET": settings.STREAM_SIGNED_SECRET,
        "STREAM_SIGNED_BIND_IP": str(settings.STREAM_SIGNED_BIND_IP).lower(),
    }
    if default["BACKEND"].endswith("S3Storage"):
        options = default["OPTIONS"]
        env.update(
            STORAGE_BACKEND="s3",
            AWS_STORAGE_BUCKET_NAME=options["bucket_name"],
            AWS_S3_ENDPOINT_URL=options["endpoint_url"],
            AWS_S3_REGION_NAME=options["region_name"],
            AWS_ACCESS_KEY_ID=options["access_key"],
            AWS_SECRET_ACCESS_KEY=options["secret_key"],
        )
    else:
        env.update(STORAGE_BACKEND="local", AWS_STORAGE_BUCKET_NAME="")
    return env


def accel_path(response) -> str:
    """The ``X-Accel-Redirect`` target without its query (S3's presigned signature)."""
    return response["X-Accel-Redirect"].split("?", 1)[0]


def accel_expected(name: str, location: str = "/protected-media/") -> str:
    """Where nginx is sent for a stored file: the file under the internal location, or on S3
    the object's path (``/<bucket>/<key>``) under the location that proxies the bucket."""
    default = settings.STORAGES["default"]
    if default["BACKEND"].endswith("S3Storage"):
        return f"{location}{default['OPTIONS']['bucket_name']}/{name}"
    return f"{location}{name}"


def stored_names(directory: str = "") -> list[str]:
    """Every file in the default storage under ``directory``, recursively, sorted."""
    try:
        dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    prefix = f"{directory}/" if directory else ""
    names = [prefix + name for name in files]
    for sub in dirs:
        names += stored_names(prefix + sub)
    return sorted(names)
