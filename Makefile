# The README's two commands are `make run` (the whole product with demo data) and `make test`.
# The work is done by scripts/*.sh, which install whatever is missing first, so each target works on a fresh
# Debian/Ubuntu machine and is quick on the second run. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory
# Extra pytest arguments: make test ARGS="-k booking -x"
ARGS ?=

.PHONY: help run test lint format bootstrap services status stop psql backup restore tune bench

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## install, start PostgreSQL+Redis, migrate, demo data, serve web, worker, beat on 127.0.0.1:PORT (8000)
	@bash scripts/run.sh

test: ## install, start PostgreSQL+Redis, then ruff check, ruff format --check, pytest ARGS
	@bash scripts/test.sh $(ARGS)

lint: ## ruff check and ruff format --check (needs only the virtualenv)
	@bash scripts/bootstrap.sh venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: ## fix what ruff can fix and format the code
	@bash scripts/bootstrap.sh venv
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bootstrap: ## install the missing Debian packages and build/refresh .venv from requirements.lock
	@bash scripts/bootstrap.sh

services: ## start (or reuse) the private PostgreSQL and Redis; writes var/services.env
	@bash scripts/bootstrap.sh
	@bash scripts/services.sh

status: ## are the private PostgreSQL and Redis running?
	@bash scripts/services.sh status

stop: ## stop the private PostgreSQL and Redis (their data stays in var/)
	@bash scripts/stop.sh

psql: ## psql on the database (the private one unless DATABASE_URL is set)
	@source scripts/services.sh >/dev/null && exec psql "$${DATABASE_URL/#postgis:/postgresql:}"

backup: ## pg_dump the database into var/backups/ (and to S3 when BACKUP_S3_BUCKET is set); ARGS="--keep 30"
	@bash scripts/backup $(ARGS)

restore: ## restore a backup into a fresh database: make restore FROM=var/backups/x.dump ARGS="--database pinch2"
	@bash scripts/restore $(FROM) $(ARGS)

tune: ## apply PostgreSQL settings scaled to this machine to the private cluster; ARGS="--dry-run" only prints them
	@bash scripts/bootstrap.sh
	@.venv/bin/python scripts/tune-postgres $(ARGS)

bench: ## benchmarks: seed 20,000 listings if the database is empty, then python -m bench ARGS ("search --repeat 30")
	@bash scripts/bootstrap.sh
	@source scripts/services.sh >/dev/null && .venv/bin/python manage.py migrate --noinput >/dev/null && \
		.venv/bin/python manage.py seed_bench --if-empty --listings 20000 && .venv/bin/python -m bench $(ARGS)
