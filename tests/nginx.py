"""A real nginx for tests: Debian's ``nginx`` package (it has the ``secure_link`` module).

Tests that need it skip with the install command when it is missing; ``.ci/run`` machines have
it (README "Running the tests").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.servers import free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def nginx_required() -> None:
    if NGINX is None:
        pytest.skip("nginx is not installed: apt-get install nginx")


@contextmanager
def nginx_server(workdir: Path, server_body: str):
    """nginx on a free loopback port with ``server_body`` inside its ``server`` block; yields
    ``(base URL, access log path)``. The access log lines are ``<request> <status> <range>``."""
    nginx_required()
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    access_log = workdir / "access.log"
    # Root runs the workers as root too, so they read the test's private temporary folders.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""
{user}
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format ranges '$request $status $http_range';
    access_log {access_log} ranges;
    sendfile on;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    types {{ audio/mpeg mp3; video/mp2t ts; application/zip zip; text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        {server_body}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.head(base + "/", timeout=1)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(
                        "nginx did not start: " + process.stderr.read().decode()[-2000:]
                    ) from None
                time.sleep(0.05)
        yield base, access_log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
