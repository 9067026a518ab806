#!/usr/bin/env bash
# `make run`: the whole product on this machine, with demo data, at http://127.0.0.1:${PORT:-8000}.
# Installs what is missing, starts (or reuses) the private PostgreSQL/PostGIS and Redis, migrates, loads the demo data
# on the first start, collects static files, then runs the web server, a Celery worker and celery beat together
# (honcho, Procfile). Ctrl-C stops those three; PostgreSQL and Redis keep running for the next start (`make stop`).
#
# Honours: PORT (default 8000), PINCH_DEMO_LISTINGS (default 500; 0 loads no demo data), and everything
# scripts/bootstrap.sh and scripts/services.sh honour (DATABASE_URL, REDIS_URL, PINCH_PG_PORT, PINCH_REDIS_PORT...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

export PORT="${PORT:-8000}"
# Say so first rather than let runserver fail among the worker's start-up lines a minute later.
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT on 127.0.0.1 is taken (is \`make run\` already running?); use another one: PORT=8001 make run"
fi

bash scripts/bootstrap.sh
# shellcheck source=scripts/services.sh
source scripts/services.sh # exports DATABASE_URL and REDIS_URL

# The Procfile's `python` and `celery` are the virtualenv's; unbuffered, so honcho shows their lines as they come.
export PATH="$PWD/.venv/bin:$PATH" PYTHONUNBUFFERED=1

# Migrations run as the owner of the tables (DATABASE_MIGRATION_URL, else DATABASE_URL); the product itself connects
# as the application role, which row-level security applies to (DATABASE_APP_URL; for the private cluster, the
# `pinch_app` role that the migrations create).
say "applying migrations"
DATABASE_URL="${DATABASE_MIGRATION_URL:-$DATABASE_URL}" python manage.py migrate --noinput
if [[ -n "${DATABASE_APP_URL:-}" ]]; then
    export DATABASE_URL="$DATABASE_APP_URL"
elif [[ -f var/run/pg.url && "$DATABASE_URL" == "$(cat var/run/pg.url)" ]]; then
    export DATABASE_URL="${DATABASE_URL/postgis:\/\/postgres@/postgis://pinch_app@}"
fi
say "the product connects as: ${DATABASE_URL%%@*}@..."

if [[ "${PINCH_DEMO_LISTINGS:-500}" != 0 ]]; then
    say "loading demo data (only when there are no listings yet)"
    python manage.py seed_demo --listings "${PINCH_DEMO_LISTINGS:-500}" --if-empty
fi

say "collecting static files"
python manage.py collectstatic --noinput -v 0

say "starting web, worker and beat: http://127.0.0.1:$PORT/   (Ctrl-C stops them)"
# honcho hands each process type its own PORT counting up from -p, in Procfile order: web, the first line, gets $PORT.
exec honcho -f Procfile start -p "$PORT"
