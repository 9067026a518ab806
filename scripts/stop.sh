#!/usr/bin/env bash
# Stops the private PostgreSQL cluster and Redis that `make run` / `make test` started under var/ (their data stays).
# Servers given by DATABASE_URL / REDIS_URL, and the machine's own PostgreSQL and Redis, are never touched.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/services.sh" stop
