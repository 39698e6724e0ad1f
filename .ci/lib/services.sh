# shellcheck shell=bash
# Shared by .ci/run and the suites under .ci/suites: real PostgreSQL, Redis and a Python
# virtualenv, installed from Debian's packages / PyPI when missing, started on free loopback ports
# in temporary directories, stopped by `services_stop` (trap it). Each start_* exports the URL the
# tests read; a variable already set points the tests at an existing server instead.

SERVICES_DIR="${SERVICES_DIR:-$(mktemp -d /tmp/st-ci-services.XXXXXX)}"
chmod 755 "$SERVICES_DIR"
SUDO=$(command -v sudo || true)

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

apt_install() {
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

# PostgreSQL: SERVICETITAN_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:PORT/postgres).
start_postgres() {
    if [ -n "${SERVICETITAN_TEST_POSTGRES_URL:-}" ]; then return; fi
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then apt_install postgresql; fi
    local bin; bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
    local dir="$SERVICES_DIR/pg" port; port=$(free_port)
    mkdir -p "$dir" && chown postgres "$dir"
    # The server refuses to run as root: initdb and pg_ctl run as the postgres user.
    runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    PG_BIN="$bin"
    export SERVICETITAN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "postgres on 127.0.0.1:$port"
}

# Redis: SERVICETITAN_TEST_REDIS_URL (redis://127.0.0.1:PORT), no disk persistence.
start_redis() {
    if [ -n "${SERVICETITAN_TEST_REDIS_URL:-}" ]; then return; fi
    command -v redis-server >/dev/null || apt_install redis-server
    local port; port=$(free_port)
    mkdir -p "$SERVICES_DIR/redis"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --dir "$SERVICES_DIR/redis" --daemonize yes --pidfile "$SERVICES_DIR/redis/pid" \
        --logfile "$SERVICES_DIR/redis/log"
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    export SERVICETITAN_TEST_REDIS_URL="redis://127.0.0.1:$port"
    export SERVICETITAN_TEST_REDIS_SERVER="$(command -v redis-server)"
    echo "redis on 127.0.0.1:$port"
}

# A virtualenv under the target directory with the pinned requirements of FILE; prints nothing,
# sets PYTHON to its interpreter.
python_venv() {
    local req="$1" venv; venv="${CARGO_TARGET_DIR:-target}/venv-$(basename "$req" .txt)"
    if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    PYTHON="$(cd "$(dirname "$venv/bin/python")" && pwd)/python"
    export PYTHON
}

services_stop() {
    if [ -n "${PG_BIN:-}" ] && [ -d "$SERVICES_DIR/pg/data" ]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ -f "$SERVICES_DIR/redis/pid" ]; then kill "$(cat "$SERVICES_DIR/redis/pid")" 2>/dev/null || true; fi
    rm -rf "$SERVICES_DIR"
}
