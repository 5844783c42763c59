#!/usr/bin/env bash
# Benchmark of the compliance engine (issue 3): full-year compliance of every organisation
# of a generated jurisdiction, by `dangjian compliance` on SQLite and on PostgreSQL (wall
# time, peak RSS), and the same computation by DuckDB over the same data exported to
# Parquet (bench/duckdb_compliance.py). The per-rule counts of all three must agree.
# Results go to bench/out/compliance.md.
#
#   bench/compliance.sh                   # province, both databases, year 2025
#   SCALE=county bench/compliance.sh      # a county (a minute)
#   DBS=sqlite REGENERATE=1 bench/compliance.sh
#   DBS=postgres DUCKDB=0 bench/compliance.sh   # runs accumulate: the table lists every
#                                               # engine measured at this scale
#   RUNS=5 bench/compliance.sh            # each engine runs RUNS times (default 3); the
#                                         # table shows the median run and lists them all
# A province needs ≈ 20 GB for the SQLite file and ≈ 30 GB for the PostgreSQL database;
# with less disk, run SQLite and DuckDB first, delete bench/out/province.db, then PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-province}
DBS=${DBS:-"sqlite postgres"}
YEAR=${YEAR:-2025}
AS_OF=${AS_OF:-2026-11-27}
OUT=bench/out
mkdir -p "$OUT"
source bench/common.sh compliance
RES="$OUT/compliance.md"

for db in $DBS; do
  if [ "$db" = sqlite ]; then
    file="$OUT/$SCALE.db"; url="sqlite://$file"
    fresh=$([ -f "$file" ] && [ -z "${REGENERATE:-}" ] && sqlite3 "$file" "SELECT COUNT(*) FROM development" 2>/dev/null | grep -qv '^0$' && echo no || echo yes)
    [ "$fresh" = yes ] && rm -f "$file" "$file"-* && rm -rf "$OUT/parquet-$SCALE"   # the export follows the file
  else
    name="dj_bench_$SCALE"; url="$PG_BASE/$name"
    has=$(runuser -u postgres -- psql -tAd "$name" -c "SELECT COUNT(*) FROM development" 2>/dev/null || echo 0)
    fresh=$([ "${has:-0}" != 0 ] && [ -z "${REGENERATE:-}" ] && echo no || echo yes)
    if [ "$fresh" = yes ]; then
      runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name OWNER dangjian"
    fi
  fi
  if [ "$fresh" = yes ]; then
    echo "== generating $SCALE → $db" >&2
    "$BIN" --db "$url" generate --scale "$SCALE" --seed 2026 --as-of "$AS_OF" | tee "$OUT/compliance-$SCALE-$db-generate.log"
  fi
  echo "== dangjian compliance on $db" >&2
  timed "$OUT/compliance-$SCALE-$db" "$OUT/compliance-$SCALE-$db.json" "$BIN" --db "$url" compliance --org "$ROOT" --year "$YEAR" --as-of "$AS_OF" --format json
done

# DuckDB over Parquet exported from the SQLite file (the export is not timed). An export
# outlives the file: with the SQLite province deleted for disk, DuckDB reads the last one.
src="$OUT/$SCALE.db"
PQ="$OUT/parquet-$SCALE"
if { [ -f "$src" ] || [ -f "$PQ/development.parquet" ]; } && [ "${DUCKDB:-1}" != 0 ]; then
  if [ -f "$src" ] && { [ ! -f "$PQ/development.parquet" ] || [ -n "${REGENERATE:-}" ]; }; then
    echo "== exporting to Parquet" >&2
    rm -rf "$PQ"; bench/.venv/bin/python bench/duckdb_compliance.py export "$src" "$PQ"
  fi
  echo "== DuckDB" >&2
  timed "$OUT/compliance-$SCALE-duckdb" "$OUT/compliance-$SCALE-duckdb.json" bench/.venv/bin/python bench/duckdb_compliance.py judge "$PQ" "$OUT/rules.toml" "$YEAR" "$AS_OF"
  bench/.venv/bin/python -c 'import duckdb; print(duckdb.__version__)' > "$OUT/compliance-$SCALE-duckdb.version"
fi

# The table, from every engine measured at this scale (this run or an earlier one).
{
  echo "# dangjian compliance benchmark"
  echo
  echo "$(date -u +%F\ %T) UTC · $(nproc) cores · $(free -g | awk '/Mem:/{print $2}') GiB · scale $SCALE · year $YEAR · as-of $AS_OF · seed 2026"
  case " $DBS " in *" postgres "*) echo; echo "PostgreSQL shared_buffers: $(runuser -u postgres -- psql -tAc 'SHOW shared_buffers' 2>/dev/null || echo '?')";; esac
  echo
  echo "| engine | organisations | seconds (wall) | peak RSS (MiB) |"
  echo "|---|---|---|---|"
  for e in sqlite postgres; do
    f="$OUT/compliance-$SCALE-$e"
    [ -f "$f.json" ] || continue
    orgs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['orgs'])" "$f.json")
    echo "| dangjian ($e) | $orgs | $(wall "$f.time") (runs: $(cat "$f.runs" 2>/dev/null)) | $(rss "$f.time") |"
  done
  f="$OUT/compliance-$SCALE-duckdb"
  if [ -f "$f.json" ]; then
    secs=$(python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['seconds'])" "$f.json")
    echo "| DuckDB $(cat "$f.version" 2>/dev/null) over Parquet | – | $(wall "$f.time") (query $secs; runs: $(cat "$f.runs" 2>/dev/null)) | $(rss "$f.time") |"
  fi
} > "$RES"

# The counts must agree, rule by rule.
python3 - "$RES" "$OUT"/compliance-"$SCALE"-*.json <<'PY'
import json, sys
res, files = sys.argv[1], [f for f in sys.argv[2:]]
runs = {f.rsplit('-', 1)[1][:-5]: json.load(open(f)) for f in files}
base = next(iter(runs.values()))["rules"]
lines = ["", "| rule | applicable | failing | agree |", "|---|---|---|---|"]
ok = True
for i, r in enumerate(base):
    same = all((x["rules"][i]["orgs_applicable"], x["rules"][i]["orgs_failing"]) == (r["orgs_applicable"], r["orgs_failing"]) for x in runs.values())
    ok &= same
    lines.append(f"| {r['id']} | {r['orgs_applicable']} | {r['orgs_failing']} | {'✓' if same else '✗ ' + str([(k, x['rules'][i]['orgs_applicable'], x['rules'][i]['orgs_failing']) for k, x in runs.items()])} |")
open(res, "a").write("\n".join(lines) + "\n")
print("counts agree across " + ", ".join(runs) if ok else "COUNTS DIFFER", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
echo >&2; cat "$RES"
