"""``manage.py check --deploy`` with the storage settings of a scaled-out deployment."""

import pytest

from tests.test_settings import PRODUCTION, manage

S3 = {
    **PRODUCTION,
    "AWS_STORAGE_BUCKET_NAME": "veza-media",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "veza",
    "AWS_SECRET_ACCESS_KEY": "veza-secret-key",
}


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["presigned", "accel", "proxy"])
def test_s3_settings_pass_check_deploy_without_warnings(mode):
    env = {**S3, "STREAM_DELIVERY": mode, "STREAM_ACCEL_REDIRECT": "/s3-media/"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_refuses_signed_mode_without_a_secret_and_a_local_mode_on_s3():
    signed = manage("check", "--deploy", **{**PRODUCTION, "STREAM_DELIVERY": "signed"})
    sendfile_on_s3 = manage("check", "--deploy", **{**S3, "STREAM_DELIVERY": "sendfile"})

    assert signed.returncode != 0
    assert "veza.E014" in signed.stdout + signed.stderr
    assert sendfile_on_s3.returncode != 0
    assert "veza.E012" in sendfile_on_s3.stdout + sendfile_on_s3.stderr
