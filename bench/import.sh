#!/usr/bin/env bash
# Benchmark of roster import (issue 4): a generated roster of ROWS members (.xlsx, from
# `dangjian roster` over a generated county's branches) imported by `dangjian import` into
# SQLite and PostgreSQL (rows/s, peak RSS), side by side with pandas.read_excel +
# DataFrame.to_sql of the same file into the same kind of database
# (bench/pandas_import.py). A second, smaller roster shows whether memory stays flat in
# the file size. Results go to bench/out/import.md.
#
#   bench/import.sh                       # 1 000 000 rows, both databases, pandas too
#   ROWS=100000 DBS=sqlite PANDAS=0 bench/import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
SMALL=${SMALL:-$((ROWS / 4))}
DBS=${DBS:-"sqlite postgres"}
PANDAS=${PANDAS:-1}
OUT=bench/out
mkdir -p "$OUT"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/python -c "import pandas, openpyxl, sqlalchemy, psycopg2" 2>/dev/null || bench/.venv/bin/pip install -q pandas openpyxl sqlalchemy psycopg2-binary

cargo build --release -p dangjian
BIN="$OUT/dangjian-import"
cp target/release/dangjian "$BIN"
if [[ " $DBS " == *" postgres "* ]]; then
  eval "$(scripts/pg-start.sh --env)"
  PG_BASE=${DANGJIAN_TEST_PG_URL%/*}
fi
ROOT=330122-00000
SRC="$OUT/import-county.db"
[ -f "$SRC" ] || "$BIN" generate --scale county --as-of 2026-11-27 --db "sqlite://$SRC" >/dev/null
"$BIN" export orgs --org "$ROOT" --out "$OUT/import-orgs.xlsx" --db "sqlite://$SRC" >/dev/null
for n in "$ROWS" "$SMALL"; do
  f="$OUT/roster-$n.xlsx"
  [ -f "$f" ] || { echo "== writing $f" >&2; "$BIN" roster --rows "$n" --org "$ROOT" --out "$f" --db "sqlite://$SRC" >/dev/null; }
done

rss() { awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }
fresh_url() { # $1 backend, $2 tag → URL of an empty database
  if [ "$1" = sqlite ]; then rm -f "$OUT/import-$2.db"*; echo "sqlite://$OUT/import-$2.db"
  else runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS dj_import_$2" -c "CREATE DATABASE dj_import_$2 OWNER dangjian"; echo "$PG_BASE/dj_import_$2"; fi
}

RES="$OUT/import.md"
{
  echo "| engine | database | rows | seconds | rows/s | peak RSS MiB |"
  echo "|---|---|---:|---:|---:|---:|"
} > "$RES"
for db in $DBS; do
  for n in "$ROWS" "$SMALL"; do
    url=$(fresh_url "$db" "d$n")
    "$BIN" import "$OUT/import-orgs.xlsx" --kind orgs --db "$url" >/dev/null
    echo "== dangjian $db $n" >&2
    /usr/bin/time -v "$BIN" import "$OUT/roster-$n.xlsx" --kind members --db "$url" > "$OUT/import-run.txt" 2> "$OUT/import-time.txt" || { cat "$OUT/import-time.txt" >&2; exit 1; }
    tail -1 "$OUT/import-run.txt" >&2
    s=$(wall "$OUT/import-time.txt")
    echo "| dangjian | $db | $n | $s | $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.0f", n/s}') | $(rss "$OUT/import-time.txt") |" >> "$RES"
  done
  if [ "$PANDAS" = 1 ]; then
    for n in "$ROWS"; do
      url=$(fresh_url "$db" "p$n")
      echo "== pandas $db $n" >&2
      /usr/bin/time -v bench/.venv/bin/python bench/pandas_import.py "$OUT/roster-$n.xlsx" "$url" > "$OUT/import-run.txt" 2> "$OUT/import-time.txt" || { cat "$OUT/import-time.txt" >&2; exit 1; }
      cat "$OUT/import-run.txt" >&2
      s=$(wall "$OUT/import-time.txt")
      echo "| pandas $(bench/.venv/bin/python -c 'import pandas; print(pandas.__version__)') | $db | $n | $s | $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.0f", n/s}') | $(rss "$OUT/import-time.txt") |" >> "$RES"
    done
  fi
done
cat "$RES"
