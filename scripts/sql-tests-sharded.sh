#!/usr/bin/env bash
# Run sql-tests/ through a sharded loopback cluster's router (issue 14) and tabulate the result.
#   bash scripts/sql-tests-sharded.sh            # every file; SQL_TESTS=a,b for some
#   SHARDS=3 bash scripts/sql-tests-sharded.sh   # another shard count (default 2)
# Starts `npm run cluster -- --shards N` (1 etcd, 1 nats-server, s3rver, one data node a shard,
# one query node) in a temporary --dir, runs test/sql-tests.test.js against the proxy's port
# (QUIVER_TEST_PORT), stops the cluster (every process it started) and writes
# dist/sql-tests-sharded.md: one row a file, pass / fail and, for a failure, the first
# statement whose output differs from PostgreSQL's and Quiver's first line there.
# Needs a build (npx tsc -p tsconfig.json) and psql; do not rebuild while it runs (a node
# importing a half-written dist/ module fails or dies, and the sweep stalls).
set -u
cd "$(dirname "$0")/.."
SHARDS=${SHARDS:-2}
DIR=$(mktemp -d /tmp/quiver-sql-sharded-XXXXXX)
LOG="$DIR/launcher.log"
node dist/src/cluster/launcher.js --nodes 1 --shards "$SHARDS" --data-nodes 1 --query-nodes 1 --index-nodes 0 \
  --port 0 --dir "$DIR/cluster" --log-level warn >"$LOG" 2>&1 &
LAUNCHER=$!
stop() { kill -TERM "$LAUNCHER" 2>/dev/null; wait "$LAUNCHER" 2>/dev/null; }
trap stop EXIT
PORT=
for _ in $(seq 1 240); do
  PORT=$(sed -n 's/^cluster ready on port \([0-9]*\).*/\1/p' "$LOG")
  [ -n "$PORT" ] && break
  kill -0 "$LAUNCHER" 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.5
done
[ -n "$PORT" ] || { echo "cluster did not start"; cat "$LOG"; exit 1; }
echo "cluster ready on port $PORT ($DIR)"
rm -rf dist/sql-tests-results
QUIVER_TEST_PORT=$PORT node --test --test-concurrency=1 dist/test/sql-tests.test.js >"$DIR/tap.txt" 2>&1
stop
trap - EXIT
node scripts/sql-tests-table.mjs "$SHARDS" > dist/sql-tests-sharded.md
tail -n 3 dist/sql-tests-sharded.md
rm -rf "$DIR"
