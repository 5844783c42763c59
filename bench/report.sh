#!/usr/bin/env bash
# Benchmark of the research report (issue 7): `dangjian report` for the jurisdiction's
# root on SQLite and PostgreSQL, cold (measures computed: --refresh) and warm (the cached
# run read back), wall time and peak RSS; beside it DuckDB computing the same rule-based
# indicators (bench/duckdb_compliance.py judge: every organisation's compliance, which the
# rule-based indicators are ratios of) over the same data exported to Parquet (export
# not timed). Each is run $RUNS times (default 3) and the median run is kept (bench/common.sh
# `timed`). Results go to bench/out/report.md.
#
#   bench/report.sh                      # city, both databases (≈ 20 min with generation)
#   SCALE=province bench/report.sh       # needs ≈ 50 GB of disk for both databases
#   SCALE=county DBS=sqlite bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-city}
DBS=${DBS:-"sqlite postgres"}
YEAR=${YEAR:-2026}
AS_OF=${AS_OF:-2026-11-27}
OUT=bench/out
mkdir -p "$OUT"
source bench/common.sh report

for db in $DBS; do
  if [ "$db" = sqlite ]; then
    file="$OUT/report-$SCALE.db"; url="sqlite://$file"
    fresh=$([ -f "$file" ] && [ -z "${REGENERATE:-}" ] && echo no || echo yes)
    [ "$fresh" = yes ] && rm -f "$file" "$file"-* && rm -rf "$OUT/parquet-report-$SCALE"
  else
    name="dj_report_$SCALE"; url="$PG_BASE/$name"
    has=$(runuser -u postgres -- psql -tAd "$name" -c "SELECT COUNT(*) FROM interviews" 2>/dev/null || echo 0)
    fresh=$([ "${has:-0}" != 0 ] && [ -z "${REGENERATE:-}" ] && echo no || echo yes)
    [ "$fresh" = yes ] && runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name OWNER dangjian"
  fi
  if [ "$fresh" = yes ]; then
    echo "== generating $SCALE → $db" >&2
    "$BIN" --db "$url" generate --scale "$SCALE" --seed 2026 --as-of "$AS_OF" > "$OUT/report-$SCALE-$db-generate.log"
  fi
  # Last year's run first (the report compares with it and would otherwise compute it
  # inside the cold run): timed on its own, with where its time went.
  echo "== dangjian indicators $((YEAR - 1)) on $db (last year's run)" >&2
  timed "$OUT/report-$SCALE-$db-lastyear" /dev/null "$BIN" --db "$url" indicators --org "$ROOT" --year $((YEAR - 1)) --as-of "$((YEAR - 1))-12-31" --refresh \
    2> "$OUT/report-$SCALE-$db-lastyear.phases"
  for run in cold warm; do
    echo "== dangjian report on $db ($run)" >&2
    flag=$([ "$run" = cold ] && echo --refresh || true)
    timed "$OUT/report-$SCALE-$db-$run" /dev/null "$BIN" --db "$url" report --org "$ROOT" --period "$YEAR" --as-of "$AS_OF" --format docx --out "$OUT/report-$SCALE-$db.docx" $flag
  done
done

src="$OUT/report-$SCALE.db"
if [ -f "$src" ] && [ "${DUCKDB:-1}" != 0 ]; then
  PQ="$OUT/parquet-report-$SCALE"
  [ -f "$PQ/development.parquet" ] || { echo "== exporting to Parquet" >&2; bench/.venv/bin/python bench/duckdb_compliance.py export "$src" "$PQ"; }
  echo "== DuckDB (cold: a new process reading Parquet)" >&2
  timed "$OUT/report-$SCALE-duckdb" "$OUT/report-$SCALE-duckdb.json" bench/.venv/bin/python bench/duckdb_compliance.py judge "$PQ" "$OUT/rules.toml" "$YEAR" "$AS_OF"
  bench/.venv/bin/python -c 'import duckdb; print(duckdb.__version__)' > "$OUT/report-$SCALE-duckdb.version"
fi

{
  echo "# dangjian report benchmark"
  echo
  echo "$(date -u +%F\ %T) UTC · $(nproc) cores · $(free -g | awk '/Mem:/{print $2}') GiB · scale $SCALE · root $ROOT · year $YEAR · as-of $AS_OF · seed 2026"
  echo
  echo "| engine | run | seconds (wall, median; the runs) | peak RSS (MiB) |"
  echo "|---|---|---|---|"
  for e in sqlite postgres; do
    f="$OUT/report-$SCALE-$e-lastyear.time"
    [ -f "$f" ] && echo "| dangjian indicators $((YEAR - 1)) ($e, last year's run) | cold | $(wall "$f") ($(cat "${f%.time}.runs" 2>/dev/null)) | $(rss "$f") |"
    for run in cold warm; do
      f="$OUT/report-$SCALE-$e-$run.time"
      [ -f "$f" ] && echo "| dangjian report ($e) | $run | $(wall "$f") ($(cat "${f%.time}.runs" 2>/dev/null)) | $(rss "$f") |"
    done
  done
  f="$OUT/report-$SCALE-duckdb"
  if [ -f "$f.json" ]; then
    secs=$(python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['seconds'])" "$f.json")
    echo "| DuckDB $(cat "$f.version" 2>/dev/null) over Parquet (rule-based indicators) | cold | $(wall "$f.time") (query $secs; runs $(cat "$f.runs" 2>/dev/null)) | $(rss "$f.time") |"
  fi
  echo
  for e in sqlite postgres; do
    f="$OUT/report-$SCALE-$e-lastyear.phases"
    [ -f "$f" ] && echo "- $e, where last year's runs spent their time: $(grep 重新计算 "$f" | sed 's/^/  /')"
  done
} > "$OUT/report.md"
cat "$OUT/report.md"
