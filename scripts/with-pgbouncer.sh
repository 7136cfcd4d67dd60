#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at Debian's pgbouncer in transaction pooling, in front
# of the PostgreSQL server DATABASE_URL names (use it inside scripts/with-postgres.sh), then stops
# pgbouncer. Its settings are scripts/pgbouncer.ini's.
# Usage: scripts/with-postgres.sh scripts/with-pgbouncer.sh CMD...
set -euo pipefail

command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || { echo "pgbouncer not found (apt-get install pgbouncer)" >&2; exit 1; }
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL server behind the pooler}"

upstream_host=$(node -e "console.log(new URL(process.env.DATABASE_URL).hostname)")
upstream_port=$(node -e "console.log(new URL(process.env.DATABASE_URL).port || 5432)")
upstream_user=$(node -e "console.log(decodeURIComponent(new URL(process.env.DATABASE_URL).username) || 'postgres')")
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
dir=$(mktemp -d /tmp/cognate-pgbouncer.XXXXXX)
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"

# PGBOUNCER_POOL_MODE=session tries session pooling instead (a server connection per client, so
# as many as the suite opens); transaction pooling is what CI runs.
mode=${PGBOUNCER_POOL_MODE:-transaction}
case "$mode" in
  # Fewer server connections than clients, as a pooler is meant to run: the suite's apps open up
  # to 20 each, and several run at once.
  transaction) servers=30 limit=60 ;;
  session) servers=250 limit=250 ;;
  *) echo "PGBOUNCER_POOL_MODE must be transaction or session, not $mode" >&2; exit 1 ;;
esac
sed -e "s|@UPSTREAM_HOST@|$upstream_host|; s|@UPSTREAM_PORT@|$upstream_port|; s|@UPSTREAM_USER@|$upstream_user|g" \
  -e "s|@PORT@|$port|; s|@MODE@|$mode|; s|@SERVERS@|$servers|; s|@LIMIT@|$limit|; s|@DIR@|$dir|g" \
  "$(dirname "$0")/pgbouncer.ini" > "$dir/pgbouncer.ini"
[ "$(id -u)" = 0 ] && chown postgres "$dir/pgbouncer.ini"

cleanup() {
  if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
  sleep 0.2
  rm -rf "$dir"
}
trap cleanup EXIT

run "$bin" -d "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do
  node -e "require('net').connect($port,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && break
  sleep 0.1
done

url=$(node -e "const u=new URL(process.env.DATABASE_URL);u.port='$port';console.log(u.toString())")
export DATABASE_URL="$url"
# Tells the tests that a transaction pooler sits in front (test/postgres-only/mixed-traffic.test.ts).
export COGNATE_TEST_POOLER=pgbouncer-$mode
# Its process, for the benchmarks' CPU readings.
export PGBOUNCER_PIDFILE="$dir/pgbouncer.pid"
echo "pgbouncer $("$bin" --version | head -1 | awk '{print $2}') ($mode pooling) on port $port" >&2
"$@"
