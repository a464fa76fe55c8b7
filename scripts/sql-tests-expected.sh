#!/usr/bin/env bash
# Regenerate sql-tests/expected/<name>.out from REAL PostgreSQL 15 + pgvector (never from Quiver).
#
# Usage: scripts/sql-tests-expected.sh [name ...]     (default: every sql-tests/*.sql)
#
# For each test it creates a fresh database regress_<name>, runs CREATE EXTENSION vector in it
# silently (Quiver has vector built in, so the .sql files do not create it themselves; only
# extension.sql exercises CREATE EXTENSION, against an already-installed vector), then feeds
# the file to psql exactly like pg_regress does (pg_regress_main.c):
#     psql -X -a -q -d DB -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on < file.sql > file.out 2>&1
# with PGTZ=UTC, PGDATESTYLE='ISO, MDY' (libpq sends both as startup parameters), C locale
# messages, no PGOPTIONS. test/sql-tests.test.ts runs Quiver with the same flags (see
# test/support/psql.ts) and diffs against these files. Each .sql file must drop everything it
# creates: Quiver runs all files in one database. This script checks that, and drops the
# regress_<name> database afterwards.
#
# Env: PGREF_DIR (default /tmp/pgref), PGREF_PORT (default 55432) for the scratch server
#      started/reused with /work/shared/peers/pgvector/start-scratch.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PGREF_DIR="${PGREF_DIR:-/tmp/pgref}"
PGREF_PORT="${PGREF_PORT:-55432}"
START_SCRATCH="${START_SCRATCH:-/work/shared/peers/pgvector/start-scratch.sh}"

bash "$START_SCRATCH" "$PGREF_DIR" "$PGREF_PORT" >/dev/null

# Same environment as test/support/psql.ts regressEnv().
for v in $(env | awk -F= '/^(PG|LC_)/ && !/^PGREF_/ {print $1}'); do unset "$v"; done
export PGTZ=UTC PGDATESTYLE='ISO, MDY' PGCLIENTENCODING=UTF8 LANG=C LC_ALL=C LANGUAGE=C PAGER= PSQL_PAGER=

ADMIN=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGREF_PORT" -U postgres)

if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in sql-tests/*.sql; do n="$(basename "$f" .sql)"; names+=("$n"); done
fi

status=0
for name in "${names[@]}"; do
    sql="sql-tests/$name.sql"
    out="sql-tests/expected/$name.out"
    [ -f "$sql" ] || { echo "no such test: $sql" >&2; exit 2; }
    db="regress_$name"
    "${ADMIN[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    PGAPPNAME=sql-tests-expected "${ADMIN[@]}" -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION vector"
    PGAPPNAME="pg_regress/$name" psql -X -a -q -h 127.0.0.1 -p "$PGREF_PORT" -U postgres -d "$db" \
        -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on <"$sql" >"$out" 2>&1 || true
    leftovers="$("${ADMIN[@]}" -d "$db" -At -c "SELECT string_agg(relname, ', ' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace")"
    if [ -n "$leftovers" ]; then
        echo "$name: leaves objects behind (Quiver runs all files in one database): $leftovers" >&2
        status=1
    fi
    "${ADMIN[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db"
    echo "$name: $(wc -l <"$out") lines -> $out"
done
exit $status
