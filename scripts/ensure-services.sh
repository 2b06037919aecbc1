#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis that `make test` uses answer on localhost.
# Starts a stopped local server when it can; otherwise says exactly what to run.
set -u

pg_host=${PGHOST_CHECK:-127.0.0.1}
pg_port=${PGPORT_CHECK:-5432}
redis_host=${REDIS_HOST_CHECK:-127.0.0.1}
redis_port=${REDIS_PORT_CHECK:-6379}

port_open() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
PY
}

wait_for() {  # host port seconds
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  return 1
}

if ! port_open "$pg_host" "$pg_port"; then
  echo "PostgreSQL is not answering on $pg_host:$pg_port; trying to start it..."
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || pg_ctlcluster "$version" main start 2>/dev/null || true
  elif command -v systemctl >/dev/null 2>&1; then
    systemctl start postgresql 2>/dev/null || true
  fi
  if ! wait_for "$pg_host" "$pg_port" 20; then
    cat >&2 <<MSG
PostgreSQL is not running on $pg_host:$pg_port and could not be started automatically.
Start it, for example:
  sudo pg_ctlcluster <version> main start        # Debian/Ubuntu
  docker compose up -d postgres                   # with this repository's docker-compose.yml
The tests connect as postgres@127.0.0.1:5432 (set TEST_DATABASE_URL to change that).
MSG
    exit 1
  fi
fi

if ! port_open "$redis_host" "$redis_port"; then
  echo "Redis is not answering on $redis_host:$redis_port; trying to start it..."
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /tmp/veza-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" \
      --appendonly no --dir /tmp/veza-redis --logfile /tmp/veza-redis/redis.log || true
  fi
  if ! wait_for "$redis_host" "$redis_port" 10; then
    cat >&2 <<MSG
Redis is not running on $redis_host:$redis_port and could not be started automatically.
Start it, for example:
  redis-server --daemonize yes --port $redis_port      # or: sudo systemctl start redis-server
  docker compose up -d redis                           # with this repository's docker-compose.yml
MSG
    exit 1
  fi
fi
echo "PostgreSQL ($pg_host:$pg_port) and Redis ($redis_host:$redis_port) are up."
