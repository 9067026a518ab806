#!/usr/bin/env bash
# The private PostgreSQL/PostGIS cluster and Redis that `make run` and `make test` use, so that a newcomer needs no
# configuration and our data never mixes with the machine's own PostgreSQL (5432) or Redis (6379), which we never touch.
#
#   source scripts/services.sh    start (or reuse) them and export DATABASE_URL and REDIS_URL into the calling shell
#   scripts/services.sh [start]   start (or reuse) them and print the URLs
#   scripts/services.sh stop      stop them (scripts/stop.sh calls this)
#   scripts/services.sh status    exit 0 when both private services are running
#
# When DATABASE_URL (or REDIS_URL) is set, that service is not started: the URL given is used as it is.
# Either way the effective URLs go to var/services.env, which Django settings read as a fallback, so that
# `.venv/bin/python manage.py shell` works later without exporting anything.
#
# Honours: DATABASE_URL, REDIS_URL, PINCH_PG_PORT (default 54329), PINCH_REDIS_PORT (default 63799),
#          PINCH_PG_MAJOR (default: the highest installed). A taken port makes us try the next ones (up to +19).
#
# Layout: var/pg/data (cluster), var/pg/run (its socket), var/log/postgres.log, var/redis (Redis' dir),
#         var/run/redis.pid, var/run/redis.port, var/log/redis.log, var/run/{pg,redis}.url (URLs of ours).
#         If the `postgres` user cannot reach var/ (repository under a private folder such as /root), the cluster
#         lives in /var/tmp/pinch-pg-<hash of the repository path>/ instead, recorded in var/pg.home.

# --- Sourced: do the work in a child bash (strict mode there, not in the caller's shell), then export the result.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    _pinch_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    if bash "$_pinch_root/scripts/services.sh" start; then
        while IFS='=' read -r _pinch_key _pinch_value; do
            [[ "$_pinch_key" =~ ^[A-Z_][A-Z0-9_]*$ ]] && export "$_pinch_key=$_pinch_value"
        done <"$_pinch_root/var/services.env"
        unset _pinch_root _pinch_key _pinch_value
        return 0
    else
        _pinch_rc=$?
        unset _pinch_root
        return "$_pinch_rc"
    fi
fi

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
VAR="$ROOT/var"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First port from $1 on that nothing listens on.
free_port() {
    local port
    for ((port = $1; port < $1 + 20; port++)); do
        if ! port_busy "$port"; then
            printf '%s' "$port"
            return
        fi
    done
    die "ports $1-$(($1 + 19)) on 127.0.0.1 are all taken; set $2 to a free port"
}

# Process $1 exists and is not a zombie. (kill -0 succeeds on zombies, and on this kind of machine init may take a
# while to reap the processes it adopts, such as a daemonized Redis or a crashed postmaster.)
alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat%% *}" != Z ]]
}

# Pids of processes whose working directory is $1: every PostgreSQL process chdirs into its data directory, so
# this finds the processes of *our* cluster and no other (the machine's own cluster runs as the same user).
procs_in_dir() {
    local p
    for p in /proc/[0-9]*; do
        [[ "$(readlink "$p/cwd" 2>/dev/null)" == "$1" ]] && printf '%s\n' "${p#/proc/}"
    done
    return 0
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------------------------
PG_DB=pinch
EXTENSIONS_SQL="CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS pgcrypto;"

pg_init_vars() {
    PG_MAJOR="${PINCH_PG_MAJOR:-}"
    if [[ -z "$PG_MAJOR" ]]; then
        local d
        for d in /usr/lib/postgresql/*/bin/initdb; do
            [[ -x "$d" ]] || continue
            d="${d#/usr/lib/postgresql/}"
            d="${d%%/*}"
            if [[ -z "$PG_MAJOR" || "$d" -gt "$PG_MAJOR" ]]; then PG_MAJOR="$d"; fi
        done
    fi
    # PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user that Debian's package
    # creates; otherwise to whoever runs this.
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' not found (it comes with Debian's postgresql package; run scripts/bootstrap.sh)"
        PG_OWNER=postgres
    else
        PG_OWNER="$(id -un)"
    fi
    # Where the cluster lives: var/pg, or the place recorded in var/pg.home by an earlier run (see pg_choose_home).
    PG_HOME="$VAR/pg"
    [[ -f "$VAR/pg.home" ]] && PG_HOME="$(cat "$VAR/pg.home")"
    PG_DATA="$PG_HOME/data"
    PG_SOCK="$PG_HOME/run"
    PG_LOG="$VAR/log/postgres.log"
    # A cluster made by another major version (e.g. after moving from Debian 12 to 13) needs that version's binaries.
    if [[ -f "$PG_DATA/PG_VERSION" ]]; then
        local made_by
        made_by="$(cat "$PG_DATA/PG_VERSION")"
        if [[ "$made_by" != "$PG_MAJOR" ]]; then
            [[ -x "/usr/lib/postgresql/$made_by/bin/pg_ctl" ]] || [[ "$1" != start ]] \
                || die "the cluster in $PG_DATA was made by PostgreSQL $made_by, which is not installed (installed: ${PG_MAJOR:-none}).
       Delete it to start afresh: scripts/stop.sh; rm -rf '$PG_HOME' '$VAR/pg.home'"
            PG_MAJOR="$made_by"
        fi
    fi
    PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
}

as_pg() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Our postmaster is alive. `pg_ctl status` only checks that *some* process has the pid in postmaster.pid; after a
# crash that pid may have been reused, so also check that the process works in our data directory.
pg_running() {
    [[ -f "$PG_DATA/postmaster.pid" ]] || return 1
    local pid
    pid="$(head -n 1 "$PG_DATA/postmaster.pid")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1 || return 1
    [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$(readlink -f "$PG_DATA")" ]]
}

pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid"; }

# First time only: var/pg when the postgres user can write there, else a folder under /var/tmp it owns.
pg_choose_home() {
    [[ -f "$VAR/pg.home" || -f "$PG_DATA/PG_VERSION" ]] && return
    mkdir -p "$PG_HOME"
    [[ "$PG_OWNER" == "$(id -un)" ]] || chown "$PG_OWNER" "$PG_HOME"
    if ! as_pg test -w "$PG_HOME" -a -x "$PG_HOME" 2>/dev/null; then
        rmdir "$PG_HOME" 2>/dev/null || true
        PG_HOME="/var/tmp/pinch-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
        say "user '$PG_OWNER' cannot reach $VAR (a parent folder is private): the cluster goes to $PG_HOME"
        mkdir -p "$PG_HOME"
        chown "$PG_OWNER" "$PG_HOME"
        chmod 700 "$PG_HOME"
        printf '%s\n' "$PG_HOME" >"$VAR/pg.home"
        PG_DATA="$PG_HOME/data"
        PG_SOCK="$PG_HOME/run"
    fi
}

pg_initdb() {
    say "creating a private PostgreSQL $PG_MAJOR cluster in $PG_DATA"
    # A data directory without PG_VERSION is what an interrupted initdb leaves: nothing to keep.
    if [[ -d "$PG_DATA" ]]; then rm -rf "$PG_DATA"; fi
    mkdir -p "$PG_DATA" "$PG_SOCK"
    [[ "$PG_OWNER" == "$(id -un)" ]] || chown "$PG_OWNER" "$PG_DATA" "$PG_SOCK"
    chmod 700 "$PG_DATA"
    local locale=C
    locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
    # Trust authentication and the superuser `postgres`: a private development cluster reachable only from this
    # machine, and the tests need a superuser to create their database and extensions.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale="$locale" >>"$PG_LOG" 2>&1 \
        || { tail -n 20 "$PG_LOG" >&2; die "initdb failed; see $PG_LOG"; }
    # The port is not written here: it is given at each start, since it moves when the default one is taken.
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- Parking in a Pinch: private development cluster (written by scripts/services.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCK'
max_connections = 200
shared_buffers = 256MB
log_timezone = 'UTC'
timezone = 'UTC'
EOF
}

# Stops leftovers of a crash: a postmaster.pid whose process is gone, and backends that outlived their postmaster.
pg_clear_stale() {
    # The socket folder is our cluster's alone, and the cluster is not running: whatever is there is left over. The
    # socket's lock file names the old postmaster, and PostgreSQL would take a zombie for a live owner.
    rm -f "$PG_SOCK"/.s.PGSQL.*
    [[ -f "$PG_DATA/postmaster.pid" ]] || return 0
    say "PostgreSQL was not shut down cleanly: removing its stale postmaster.pid"
    local real pids i
    real="$(readlink -f "$PG_DATA")"
    # Orphaned backends notice the postmaster's death and exit within a second or two; a new postmaster refuses to
    # start while they still hold the old shared memory.
    for ((i = 0; i < 20; i++)); do
        pids="$(procs_in_dir "$real")"
        [[ -z "$pids" ]] && break
        sleep 0.5
    done
    if [[ -n "$pids" ]]; then
        say "stopping leftover processes of the crashed cluster: ${pids//$'\n'/ }"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$PG_DATA/postmaster.pid"
}

pg_psql() { # pg_psql DB SQL
    PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
        -U postgres -d "$1" -tA -c "$2"
}

# Database `pinch`, and the extensions in template1 too: pytest-django's test database is a copy of template1.
# Idempotent and quick, so it runs on every start; that also heals a first start that was interrupted.
pg_ensure_db() {
    pg_psql template1 "$EXTENSIONS_SQL" || die "could not create the extensions in template1; see $PG_LOG"
    if [[ "$(pg_psql postgres "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
        say "creating database $PG_DB"
        pg_psql postgres "CREATE DATABASE $PG_DB"
    fi
    pg_psql "$PG_DB" "$EXTENSIONS_SQL" || die "could not create the extensions in $PG_DB; see $PG_LOG"
}

# The URL of our private service is exported by `source scripts/services.sh`; when it comes back to us through the
# environment (a second `source`, or `make run` from that shell) it is still ours to check and restart, not a
# URL of someone else's server.
is_our_url() { [[ -f "$2" && "$1" == "$(cat "$2")" ]]; }

pg_start() {
    if [[ -n "${DATABASE_URL:-}" ]] && ! is_our_url "$DATABASE_URL" "$VAR/run/pg.url"; then
        say "DATABASE_URL is set: using it, no private PostgreSQL"
        EFFECTIVE_DATABASE_URL="$DATABASE_URL"
        return
    fi
    pg_init_vars start
    [[ -n "$PG_MAJOR" && -x "$PG_BIN/pg_ctl" ]] \
        || die "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/bootstrap.sh)"
    mkdir -p "$VAR/log" "$VAR/run"
    pg_choose_home
    if pg_running; then
        PG_PORT="$(pg_running_port)"
        say "private PostgreSQL $PG_MAJOR already running on 127.0.0.1:$PG_PORT: reusing it"
    else
        [[ -f "$PG_DATA/PG_VERSION" ]] || pg_initdb
        pg_clear_stale
        PG_PORT="$(free_port "${PINCH_PG_PORT:-54329}" PINCH_PG_PORT)"
        say "starting private PostgreSQL $PG_MAJOR on 127.0.0.1:$PG_PORT (log: ${PG_LOG#"$ROOT"/})"
        mkdir -p "$PG_SOCK"
        [[ "$PG_OWNER" == "$(id -un)" ]] || chown "$PG_OWNER" "$PG_SOCK"
        # No `-l`: the log file is opened here, by us, so it can stay in var/log even when the postgres user cannot
        # reach var/. pg_ctl puts the server in its own session, so a Ctrl-C in this terminal does not stop it.
        as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -w -t 60 -o "-p $PG_PORT" </dev/null >>"$PG_LOG" 2>&1 9>&- \
            || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start; see $PG_LOG"; }
    fi
    pg_ensure_db
    EFFECTIVE_DATABASE_URL="postgis://postgres@127.0.0.1:$PG_PORT/$PG_DB"
    printf '%s\n' "$EFFECTIVE_DATABASE_URL" >"$VAR/run/pg.url"
}

pg_stop() {
    pg_init_vars stop
    if [[ -z "$PG_MAJOR" || ! -x "$PG_BIN/pg_ctl" ]]; then
        say "PostgreSQL is not installed: nothing to stop"
        return
    fi
    if pg_running; then
        say "stopping private PostgreSQL (127.0.0.1:$(pg_running_port))"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 </dev/null >>"$PG_LOG" 2>&1 \
            || die "PostgreSQL did not stop; see $PG_LOG"
    else
        say "private PostgreSQL is not running"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------------------------
REDIS_DIR="$VAR/redis"
REDIS_PIDFILE="$VAR/run/redis.pid"
REDIS_PORTFILE="$VAR/run/redis.port" # the port it was started on (it may not be the default)
REDIS_LOG="$VAR/log/redis.log"

# The Redis answering on port $1 is ours: it works in our var/redis (the machine's own Redis works elsewhere).
redis_ours_on() {
    [[ -n "$1" ]] || return 1
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" --raw CONFIG GET dir 2>/dev/null | sed -n 2p)" == "$(readlink -f "$REDIS_DIR")" ]]
}

redis_running_port() {
    local port=""
    [[ -f "$REDIS_PORTFILE" ]] && port="$(cat "$REDIS_PORTFILE")"
    redis_ours_on "$port" && printf '%s' "$port"
}

redis_start() {
    if [[ -n "${REDIS_URL:-}" ]] && ! is_our_url "$REDIS_URL" "$VAR/run/redis.url"; then
        say "REDIS_URL is set: using it, no private Redis"
        EFFECTIVE_REDIS_URL="$REDIS_URL"
        return
    fi
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found (run scripts/bootstrap.sh)"
    mkdir -p "$REDIS_DIR" "$VAR/run" "$VAR/log"
    local port i
    if port="$(redis_running_port)"; then
        say "private Redis already running on 127.0.0.1:$port: reusing it"
    else
        port="$(free_port "${PINCH_REDIS_PORT:-63799}" PINCH_REDIS_PORT)"
        say "starting private Redis on 127.0.0.1:$port (log: ${REDIS_LOG#"$ROOT"/})"
        # No persistence: it holds the Celery queue, results and cache of a development machine.
        redis-server --port "$port" --bind 127.0.0.1 --dir "$REDIS_DIR" --daemonize yes \
            --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG" --save "" --appendonly no </dev/null 9>&- \
            || die "redis-server did not start; see $REDIS_LOG"
        for ((i = 0; i < 50; i++)); do
            [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]] && break
            sleep 0.1
        done
        redis_ours_on "$port" || { tail -n 20 "$REDIS_LOG" >&2; die "Redis did not answer on 127.0.0.1:$port; see $REDIS_LOG"; }
        printf '%s\n' "$port" >"$REDIS_PORTFILE"
    fi
    EFFECTIVE_REDIS_URL="redis://127.0.0.1:$port/0"
    printf '%s\n' "$EFFECTIVE_REDIS_URL" >"$VAR/run/redis.url"
}

redis_stop() {
    local port pid i
    if port="$(redis_running_port)"; then
        say "stopping private Redis (127.0.0.1:$port)"
        pid="$(cat "$REDIS_PIDFILE" 2>/dev/null || true)"
        redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
        for ((i = 0; i < 50; i++)); do
            port_busy "$port" || { [[ -n "$pid" ]] && alive "$pid"; } || break
            sleep 0.1
        done
        port_busy "$port" && die "Redis on 127.0.0.1:$port did not stop; see $REDIS_LOG"
        rm -f "$REDIS_PORTFILE"
    else
        say "private Redis is not running"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$VAR"
# One of us at a time: `make run` in one terminal and `make test` in another must not both run initdb.
# (The servers we start are given `9>&-` so that they do not inherit, and so keep holding, this lock.)
exec 9>"$VAR/services.lock"
flock -w 120 9 || die "another scripts/services.sh has held $VAR/services.lock for two minutes"

case "${1:-start}" in
start)
    pg_start
    redis_start
    # Written whole and then moved, so a reader never sees half a file; private, as a given URL may hold a password.
    (
        umask 077
        printf 'DATABASE_URL=%s\nREDIS_URL=%s\n' "$EFFECTIVE_DATABASE_URL" "$EFFECTIVE_REDIS_URL" >"$VAR/services.env.tmp"
    )
    mv -f "$VAR/services.env.tmp" "$VAR/services.env"
    say "DATABASE_URL=$EFFECTIVE_DATABASE_URL"
    say "REDIS_URL=$EFFECTIVE_REDIS_URL"
    ;;
stop)
    pg_stop
    redis_stop
    ;;
status)
    rc=0
    pg_init_vars status
    if [[ -n "$PG_MAJOR" ]] && pg_running; then
        echo "PostgreSQL: running on 127.0.0.1:$(pg_running_port), data in $PG_DATA"
    else
        echo "PostgreSQL: not running"
        rc=1
    fi
    if port="$(redis_running_port)"; then echo "Redis: running on 127.0.0.1:$port"; else
        echo "Redis: not running"
        rc=1
    fi
    exit "$rc"
    ;;
*) die "usage: scripts/services.sh [start|stop|status]   (or: source scripts/services.sh)" ;;
esac
