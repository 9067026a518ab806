#!/usr/bin/env bash
# Installs what the project needs and is missing, and nothing else:
#   - Debian packages: PostgreSQL + PostGIS (which pulls in the GDAL/GEOS/PROJ runtime GeoDjango loads), Redis,
#     python3-venv when `python3 -m venv` cannot work;
#   - the virtualenv .venv, built from requirements.lock.
# A second run with nothing missing touches nothing (no apt-get, no pip) and takes well under a second.
#
# Usage: scripts/bootstrap.sh [all|apt|venv]      (default: all)
# Honours: PYTHON (interpreter for the venv, default python3), PINCH_APT_EXTRA (more Debian packages, space-separated),
#   PINCH_BROWSER=1 (also Debian's chromium and a font, for the browser tests; scripts/test.sh sets it),
#          PIP_FIND_LINKS (also handed to uv), PIP_CERT (used as SSL_CERT_FILE for uv when that is unset).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

PYTHON="${PYTHON:-python3}"
STEP="${1:-all}"
case "$STEP" in all | apt | venv) ;; *) die "usage: scripts/bootstrap.sh [all|apt|venv]" ;; esac

# ---------------------------------------------------------------------------------------------------------------
# System packages
# ---------------------------------------------------------------------------------------------------------------

# Highest PostgreSQL major version whose server binaries are installed (Debian 12 ships 15, Debian 13 ships 17).
installed_pg_major() {
    local d best=""
    for d in /usr/lib/postgresql/*/bin/initdb; do
        [[ -x "$d" ]] || continue
        d="${d#/usr/lib/postgresql/}"
        d="${d%%/*}"
        if [[ -z "$best" || "$d" -gt "$best" ]]; then best="$d"; fi
    done
    printf '%s' "$best"
}

# Major version apt would install for the `postgresql` metapackage ("15+248+deb12u2" -> 15); empty if apt knows none.
candidate_pg_major() {
    apt-cache policy postgresql 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9][0-9]*\)+.*/\1/p' | head -n 1
}

is_installed() { [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]; }

# Runs a command as root: directly, through sudo, or not at all (then the caller prints what to install by hand).
as_root() {
    if [[ "$(id -u)" == 0 ]]; then
        "$@"
    elif [[ -t 0 ]]; then
        sudo "$@"
    else
        sudo -n "$@" # no terminal (CI): fail instead of waiting for a password nobody can type
    fi
}
can_be_root() { [[ "$(id -u)" == 0 ]] || command -v sudo >/dev/null 2>&1; }

# apt holds a lock while another apt/dpkg runs (unattended upgrades, a parallel install): wait for it, not fail.
APT_GET=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# Fills the global MISSING with what is not installed yet.
compute_missing() {
    MISSING=()
    local major pkg
    major="$(installed_pg_major)"
    [[ -n "$major" ]] || major="$(candidate_pg_major)"
    if [[ -z "$major" ]]; then
        # apt does not know PostgreSQL yet (empty package lists): apt-get update will tell us the version.
        MISSING+=(postgresql "postgresql-<version>-postgis-3")
    else
        PKGS=(postgresql "postgresql-$major" "postgresql-$major-postgis-3" postgresql-contrib)
        for pkg in "${PKGS[@]}"; do is_installed "$pkg" || MISSING+=("$pkg"); done
    fi
    for pkg in redis-server redis-tools ${PINCH_APT_EXTRA:-}; do is_installed "$pkg" || MISSING+=("$pkg"); done
    # The browser tests (tests marked e2e) drive Debian's chromium through Playwright; scripts/test.sh asks for it.
    if [[ "${PINCH_BROWSER:-}" == 1 ]]; then
        for pkg in chromium fonts-dejavu-core; do is_installed "$pkg" || MISSING+=("$pkg"); done
    fi
    # GeoDjango dlopens GDAL, GEOS and PROJ. Debian's PostGIS package depends on all three; if some other PostGIS
    # was installed, gdal-bin pulls in whichever libgdalNN/libgeos/libproj this release has (no -dev packages needed).
    if ! ldconfig -p | grep -q 'libgdal\.so' || ! ldconfig -p | grep -q 'libgeos_c\.so' \
        || ! ldconfig -p | grep -q 'libproj\.so'; then
        is_installed gdal-bin || MISSING+=(gdal-bin)
    fi
    # Debian splits ensurepip (what `python3 -m venv` needs) into python3-venv.
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        is_installed python3-venv || MISSING+=(python3-venv)
    fi
}

ensure_apt_packages() {
    command -v dpkg-query >/dev/null 2>&1 || die "this set-up needs a Debian or Ubuntu machine (dpkg/apt not found)"
    compute_missing
    if ((${#MISSING[@]} == 0)); then
        say "system packages present (PostgreSQL $(installed_pg_major) + PostGIS, GDAL/GEOS/PROJ, Redis)"
        return
    fi
    if ! can_be_root; then
        die "missing Debian packages: ${MISSING[*]}
       Install them as root (apt-get update && apt-get install ${MISSING[*]}) and run this again."
    fi
    say "installing Debian packages: ${MISSING[*]}"
    say "apt-get update"
    as_root "${APT_GET[@]}" update -q || die "apt-get update failed (needs root or sudo and network access to the Debian mirror)"
    # Recompute: now that the package lists are fresh, the PostgreSQL version is known.
    compute_missing
    ((${#MISSING[@]} == 0)) && return
    say "apt-get install ${MISSING[*]}"
    as_root "${APT_GET[@]}" install -y -q --no-install-recommends "${MISSING[@]}" \
        || die "apt-get install ${MISSING[*]} failed"
    local major
    major="$(installed_pg_major)"
    [[ -n "$major" && -f "/usr/share/postgresql/$major/extension/postgis.control" ]] \
        || die "PostgreSQL/PostGIS still not found under /usr/lib/postgresql after installing"
    say "installed; PostgreSQL $major"
}

# ---------------------------------------------------------------------------------------------------------------
# Virtualenv
# ---------------------------------------------------------------------------------------------------------------

VENV=.venv
LOCK=requirements.lock
STAMP="$VENV/.requirements.lock.sha256" # sha256 of the lock file the venv was last synced with
# Bump when the way the venv is built changes, so that existing venvs are rebuilt once.
VENV_RECIPE=2

ensure_venv() {
    [[ -f "$LOCK" ]] || die "$LOCK not found"
    local want have=""
    want="$(sha256sum "$LOCK" | cut -d' ' -f1) recipe-$VENV_RECIPE"
    [[ -f "$STAMP" ]] && have="$(cat "$STAMP")"
    # A venv whose interpreter no longer runs (its base Python was removed or upgraded) is rebuilt from scratch.
    if [[ -x "$VENV/bin/python" ]] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        say "the virtualenv's Python is broken; recreating $VENV"
        rm -rf "$VENV"
        have=""
    fi
    if [[ -x "$VENV/bin/python" && "$have" == "$want" ]]; then
        say "virtualenv $VENV matches $LOCK"
        return
    fi
    if [[ ! -x "$VENV/bin/python" ]]; then
        command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (set PYTHON=/path/to/python3.11)"
        say "creating virtualenv $VENV with $("$PYTHON" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
        "$PYTHON" -m venv "$VENV" || die "'$PYTHON -m venv $VENV' failed (on Debian: apt-get install python3-venv)"
    fi
    say "installing $LOCK into $VENV"
    # uv syncs a few times faster than pip and removes what the lock no longer lists. `uv pip sync` may also
    # remove pip and uv themselves (they are not in the lock), so bring them back when they are gone.
    if [[ ! -x "$VENV/bin/uv" ]]; then
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip -q >/dev/null 2>&1 || true
        "$VENV/bin/python" -m pip install -q uv || say "could not install uv; pip will do it"
    fi
    local uv_args=() dir
    # uv does not read pip's environment: hand it the local wheel folders and the CA bundle pip is told to use.
    for dir in ${PIP_FIND_LINKS:-}; do uv_args+=(--find-links "$dir"); done
    if [[ -n "${PIP_CERT:-}" && -z "${SSL_CERT_FILE:-}" ]]; then export SSL_CERT_FILE="$PIP_CERT"; fi
    # --compile-bytecode: write the .pyc files now. Where PYTHONDONTWRITEBYTECODE is set (it is on some of our
    # machines) Python would otherwise compile ~1500 modules again at every start: 3 s more for each manage.py.
    if [[ -x "$VENV/bin/uv" ]] \
        && "$VENV/bin/uv" pip sync -q --compile-bytecode --python "$VENV/bin/python" "${uv_args[@]}" "$LOCK"; then
        :
    else
        say "uv did not work; installing with pip instead"
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip -q
        "$VENV/bin/python" -m pip install -q -r "$LOCK" || die "installing $LOCK into $VENV failed" # pip compiles .pyc itself
    fi
    printf '%s\n' "$want" >"$STAMP"
    say "virtualenv ready"
}

case "$STEP" in
all)
    ensure_apt_packages
    ensure_venv
    ;;
apt) ensure_apt_packages ;;
venv) ensure_venv ;;
esac
