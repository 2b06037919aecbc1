# syntax=docker/dockerfile:1
# Veza API: slim, multi-stage, non-root, served by gunicorn.
# Build: docker build -t veza:0.1.0 .

FROM python:3.12-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY veza ./veza
COPY apps ./apps
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install .

FROM python:3.12-slim AS runtime
LABEL org.opencontainers.image.title="veza" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.description="Veza API server (Django, DRF, Celery)"
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=veza.settings \
    MEDIA_ROOT=/data/media
RUN groupadd --system veza && useradd --system --gid veza --home-dir /app --shell /usr/sbin/nologin veza \
    && mkdir -p /app /data/media && chown -R veza:veza /app /data
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=veza:veza manage.py ./
COPY --chown=veza:veza veza ./veza
COPY --chown=veza:veza apps ./apps
COPY --chown=veza:veza templates ./templates
COPY --chown=veza:veza static ./static
# collectstatic builds the hashed manifest (production storage). It needs settings that load:
# these throwaway build-time values never reach a running container.
RUN DEBUG=false SECRET_KEY=build-only CHAT_JWT_SECRET=build-only-chat FIELD_ENCRYPTION_KEY=build-only \
    ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && chown -R veza:veza /app/staticfiles
USER veza
EXPOSE 8000
# Asked with a host name Django accepts (the first of ALLOWED_HOSTS), or it would answer 400.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import os, urllib.request; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.*') or 'localhost'; request = urllib.request.Request('http://127.0.0.1:8000/api/v1/health', headers={'Host': host}); assert urllib.request.urlopen(request, timeout=4).status == 200"
CMD ["gunicorn", "veza.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
