#!/usr/bin/env bash
# Starts the machine's PostgreSQL 15 cluster (installed, stopped) and prepares the role
# and database the tests use. Idempotent. Prints the URL to export at the end.
#   eval "$(scripts/pg-start.sh --env)"   # sets DANGJIAN_TEST_PG_URL in this shell
set -euo pipefail
PGVER=${PGVER:-15}
PGPORT=${PGPORT:-5432}
ROLE=dangjian
DB=dangjian_test
URL="postgres://${ROLE}:${ROLE}@127.0.0.1:${PGPORT}/${DB}"

log() { if [ "${1:-}" != "" ]; then echo "$*" >&2; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "PostgreSQL 未安装，正在通过 apt 安装 postgresql-${PGVER} ……"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-${PGVER}" >&2
fi
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^${PGVER} main$"; then
  log "创建 PostgreSQL ${PGVER} 集群 main ……"
  pg_createcluster "$PGVER" main --port "$PGPORT" >&2
fi
if ! pg_lsclusters -h | grep -q "^${PGVER} *main .* online"; then
  pg_ctlcluster "$PGVER" main start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$PGPORT" || { echo "PostgreSQL 未能在30秒内就绪，请查看 /var/log/postgresql/" >&2; exit 1; }

as_pg() { runuser -u postgres -- "$@"; }
as_pg psql -q -p "$PGPORT" -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
    CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}' CREATEDB;
  END IF; END \$\$;" >&2
if ! as_pg psql -p "$PGPORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '${DB}'" | grep -q 1; then
  as_pg createdb -p "$PGPORT" -O "$ROLE" "$DB" >&2
fi
# Databases the test suite created in earlier runs (dj_t_*): each test makes its own.
for old in $(as_pg psql -p "$PGPORT" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'dj\\_t\\_%'"); do
  as_pg dropdb -p "$PGPORT" --if-exists "$old" >&2
done

if [ "${1:-}" = "--env" ]; then
  echo "export DANGJIAN_TEST_PG_URL='${URL}'"
else
  echo "PostgreSQL 已就绪：${URL}" >&2
  echo "测试请设置：export DANGJIAN_TEST_PG_URL='${URL}'" >&2
fi
