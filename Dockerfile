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
COPY --chown=veza:veza manage.py gunicorn.conf.py ./
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
# Health answers whatever the Host header says (veza/api/health.py), so the probe may call by IP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4).status != 200)"
# Workers, timeouts, recycling and logs: gunicorn.conf.py (WEB_CONCURRENCY sets the worker count).
CMD ["gunicorn", "veza.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips", "*"]
