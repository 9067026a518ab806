#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): installs what is missing, starts (or reuses) the private PostgreSQL/PostGIS
# and Redis, then runs the linters and the tests against those real servers:
#   ruff check .  ->  ruff format --check .  ->  pytest "$@"
# The first failing step ends the run with its exit code. Arguments go to pytest: scripts/test.sh -k booking -x
#
# Honours: CI=true (then the services this run started are stopped at the end, since a CI clone is thrown away),
# and everything scripts/bootstrap.sh and scripts/services.sh honour (DATABASE_URL, REDIS_URL, PINCH_PG_PORT...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*"; }

# The browser tests need chromium: install it with the rest unless told not to (PINCH_BROWSER=0).
PINCH_BROWSER="${PINCH_BROWSER:-1}" bash scripts/bootstrap.sh

if [[ "${CI:-}" == true ]] && ! bash scripts/services.sh status >/dev/null 2>&1; then
    trap 'bash scripts/services.sh stop || true' EXIT
fi
# shellcheck source=scripts/services.sh
source scripts/services.sh # exports DATABASE_URL and REDIS_URL

say "ruff check ."
.venv/bin/ruff check .
say "ruff format --check ."
.venv/bin/ruff format --check .
say "pytest $*"
.venv/bin/pytest "$@"
