#!/usr/bin/env bash
# Run a command against real PostgreSQL.
#
# With DATABASE_URL set, the command just runs. Without it, start a private throwaway cluster from
# the installed PostgreSQL binaries (initdb into a temporary directory, listening only on a unix
# socket there), export DATABASE_URL for it, run the command, and remove the cluster afterwards.
# initdb refuses to run as root, so as root the cluster belongs to the unprivileged 'postgres'
# system user (or 'nobody' where that does not exist).
set -euo pipefail

if [[ -n "${DATABASE_URL:-}" ]]; then
  exec "$@"
fi

pg_bin=""
for candidate in "${PG_BIN:-}" /usr/lib/postgresql/*/bin; do
  if [[ -n "$candidate" && -x "$candidate/initdb" ]]; then pg_bin="$candidate"; fi
done
if [[ -z "$pg_bin" ]]; then
  command -v initdb >/dev/null && pg_bin="$(dirname "$(command -v initdb)")"
fi
if [[ -z "$pg_bin" ]]; then
  echo "with-postgres: no PostgreSQL server binaries found (install postgresql, or set DATABASE_URL)" >&2
  exit 1
fi

as_owner=()
owner="$(id -un)"
if [[ "$(id -u)" == "0" ]]; then
  owner=postgres
  id "$owner" >/dev/null 2>&1 || owner=nobody
  as_owner=(runuser -u "$owner" --)
fi

cluster="$(mktemp -d /tmp/amg-pg.XXXXXX)"
chmod 755 "$cluster"
[[ "$(id -u)" == "0" ]] && chown "$owner" "$cluster"
data="$cluster/data"
log="$cluster/server.log"

cleanup() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$cluster"
}
trap cleanup EXIT INT TERM

"${as_owner[@]}" "$pg_bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 \
  || { cat "$cluster/initdb.log" >&2; exit 1; }
# Durability is pointless for a throwaway test cluster; speed is not. PG_SERVER_OPTIONS adds
# server settings (`make bench` sizes shared_buffers for the ten-university data, 1.3 GB).
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
  -o "-k $cluster -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 ${PG_SERVER_OPTIONS:-}" \
  >/dev/null || { cat "$log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@/amg_portal?host=$cluster"
set +e
"$@"
status=$?
set -e
exit "$status"
