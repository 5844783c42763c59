#!/usr/bin/env bash
# Benchmark of the foundation: generate a jurisdiction into SQLite and PostgreSQL
# (rows/s, peak RSS), then time subtree member counts at the root and at a leaf
# (median of repeated calls). Results go to bench/out/results.md.
#
#   bench/run.sh                 # county and province, both databases
#   SCALES="county" bench/run.sh # only the county
#   DBS="sqlite" bench/run.sh    # only SQLite
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${SCALES:-"county province"}
DBS=${DBS:-"sqlite postgres"}
AS_OF=${AS_OF:-2026-11-27}
OUT=bench/out
mkdir -p "$OUT"
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }

cargo build --release -p dangjian
BIN="$OUT/dangjian"
cp target/release/dangjian "$BIN"   # a rebuild during the run cannot change what is measured
if [[ " $DBS " == *" postgres "* ]]; then
  eval "$(scripts/pg-start.sh --env)"
  PG_BASE=${DANGJIAN_TEST_PG_URL%/*}
fi

RES="$OUT/results.md"
{
  echo "# dangjian foundation benchmark"
  echo
  echo "$(date -u +%F\ %T) UTC · $(nproc) cores · $(free -g | awk '/Mem:/{print $2}') GiB · as-of $AS_OF · seed 2026"
  echo
  echo "| scale | database | rows | seconds | rows/s | peak RSS (MiB) | root count (ms, median) | leaf count (ms, median) |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$RES"

for scale in $SCALES; do
  for db in $DBS; do
    if [ "$db" = sqlite ]; then
      file="$OUT/$scale.db"; rm -f "$file" "$file"-*
      url="sqlite://$file"
    else
      name="dj_bench_$scale"
      runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name OWNER dangjian"
      url="$PG_BASE/$name"
    fi
    echo "== $scale → $db" >&2
    /usr/bin/time -v -o "$OUT/$scale-$db.time" "$BIN" --db "$url" generate --scale "$scale" --seed 2026 --as-of "$AS_OF" | tee "$OUT/$scale-$db.log"
    line=$(grep 生成完成 "$OUT/$scale-$db.log")
    rows=$(echo "$line" | sed -E 's/.*共 ([0-9]+) 行.*/\1/')
    secs=$(echo "$line" | sed -E 's/.*用时 ([0-9.]+) 秒.*/\1/')
    rps=$(echo "$line" | sed -E 's/.*（([0-9]+) 行\/秒）.*/\1/')
    rss=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$OUT/$scale-$db.time")
    "$BIN" --db "$url" bench --repeat 51 | tee "$OUT/$scale-$db.bench"
    root=$(sed -n 1p "$OUT/$scale-$db.bench" | sed -E 's/.*中位数 ([0-9.]+) 毫秒.*/\1/')
    leaf=$(sed -n 2p "$OUT/$scale-$db.bench" | sed -E 's/.*中位数 ([0-9.]+) 毫秒.*/\1/')
    echo "| $scale | $db | $rows | $secs | $rps | $rss | $root | $leaf |" >> "$RES"
  done
done
echo >&2; cat "$RES"
