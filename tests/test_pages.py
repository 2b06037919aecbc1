"""Pages for people: the root page, offline API docs (Swagger UI, Redoc) and readable dev email."""

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.mail import EmailMultiAlternatives

from veza import __version__
from veza.email_backends import ReadableConsoleEmailBackend

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.django_db
def test_the_root_page_links_docs_redoc_admin_and_health(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert __version__ in html
    for target in ("/api/docs/", "/api/redoc/", "/api/schema/", "/admin/", "/api/v1/health"):
        assert f'href="{target}' in html, target


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_nothing_from_the_internet(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert assets, html[:500]
    assert not re.search(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", html), assets
    assert not re.search(r"cdn\.|jsdelivr|unpkg|cdnjs", html), assets
    for asset in assets:
        if asset.startswith("/static/"):
            found = finders.find(asset.removeprefix("/static/"))
            assert found, asset
            with open(found, "rb") as file:
                assert file.read(1), asset


@pytest.mark.django_db
def test_redoc_and_swagger_ui_read_the_served_schema(client):
    for path in ("/api/docs/", "/api/redoc/"):
        assert "/api/schema/" in client.get(path).content.decode(), path


def test_development_email_shows_links_intact_even_on_long_lines():
    link = "http://localhost:8000/verify-email?token=" + "a" * 40 + "=:b:c"
    long_line = "x " * 600 + link  # over the 998 characters that push Django to quoted-printable
    message = EmailMultiAlternatives(
        subject="Confirm your email address for Veza",
        body=f"Hi,\n\n{link}\n\n{long_line}\n",
        from_email="Veza <no-reply@localhost>",
        to=["someone@example.com"],
    )
    message.attach_alternative(f"<p>{long_line}</p>", "text/html")
    stream = io.StringIO()

    ReadableConsoleEmailBackend(stream=stream).send_messages([message])

    output = stream.getvalue()
    assert f"\n{link}\n" in output
    assert long_line in output
    assert "Subject: Confirm your email address for Veza" in output
    assert "To: someone@example.com" in output
    assert "=3D" not in output
    assert "[text/html version of the same text not shown]" in output


def test_the_default_email_backend_is_the_readable_console(settings):
    assert settings.EMAIL_BACKEND in (
        "veza.email_backends.ReadableConsoleEmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",  # pytest-django's test outbox
    )
