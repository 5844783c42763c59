#!/usr/bin/env bash
# Benchmarks of questionnaire research (issue 5):
# 1. Submissions over HTTP on loopback: wrk POSTs filled-in built-in questionnaires to a
#    unit's public link at rising concurrency, on SQLite and PostgreSQL; responses/s,
#    p50/p99 latency, and a check that every acknowledged (HTTP 200) response is in the
#    database afterwards (group commit: a response is acknowledged only after its commit).
# 2. Export of RESPONSES responses × QUESTIONS questions to XLSX and SAV (and CSV, DTA):
#    seconds and peak RSS, at the full size and at a tenth, to show memory flat.
# Results go to bench/out/survey.md.
#
#   bench/survey.sh                            # everything (≈ 15 min)
#   DBS=sqlite RESPONSES=100000 bench/survey.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DBS=${DBS:-"sqlite postgres"}
CONC=${CONC:-"8 32 128 256"}
SECS=${SECS:-15}
RESPONSES=${RESPONSES:-1000000}
QUESTIONS=${QUESTIONS:-60}
FORMATS=${FORMATS:-"xlsx sav csv dta"}
HTTP=${HTTP:-1}     # 0: skip the submission benchmark
EXPORT=${EXPORT:-1} # 0: skip the export benchmark
OUT=bench/out
mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
cargo build --release -p dangjian
BIN="$OUT/dangjian-survey"
cp target/release/dangjian "$BIN"
if [[ " $DBS " == *" postgres "* ]]; then
  eval "$(scripts/pg-start.sh --env)"
  PG_BASE=${DANGJIAN_TEST_PG_URL%/*}
fi
fresh_url() { # $1 backend, $2 tag → URL of an empty database
  if [ "$1" = sqlite ]; then rm -f "$OUT/survey-$2.db"*; echo "sqlite://$OUT/survey-$2.db"
  else runuser -u postgres -- psql -q -c "DROP DATABASE IF EXISTS dj_survey_$2" -c "CREATE DATABASE dj_survey_$2 OWNER dangjian" >&2; echo "$PG_BASE/dj_survey_$2"; fi
}
count() { # $1 backend, $2 url → stored responses
  if [ "$1" = sqlite ]; then sqlite3 "${2#sqlite://}" "SELECT COUNT(*) FROM survey_responses"
  else runuser -u postgres -- psql -tA -d "${2##*/}" -c "SELECT COUNT(*) FROM survey_responses"; fi
}
rss() { awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }
ms() { # wrk latency like 1.23ms / 850.00us / 1.02s → milliseconds
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/,"",v); printf "%.2f", v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); printf "%.2f", v } else { sub(/s$/,"",v); printf "%.2f", v*1000 } }'
}

RES="$OUT/survey.md"
{
  echo "## Submissions over HTTP (wrk, ${SECS} s per step, loopback, 2 cores shared by wrk and the server)"
  echo
  echo "| database | connections | responses/s | p50 ms | p99 ms | acknowledged | stored | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} > "$RES"
for db in $DBS; do
  [ "$HTTP" = 1 ] || continue
  url=$(fresh_url "$db" http)
  "$BIN" generate --scale small --db "$url" >/dev/null
  token=$("$BIN" survey stats --campaign 1 --format json --db "$url" | sed -n 's/.*"token": "\([0-9a-f]*\)".*/\1/p' | head -1)
  port=$((30000 + RANDOM % 20000))
  "$BIN" serve --bind "127.0.0.1:$port" --db "$url" > "$OUT/survey-serve.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  for c in $CONC; do
    before=$(count "$db" "$url")
    echo "== $db, $c connections" >&2
    wrk -t2 -c"$c" -d"${SECS}s" --latency -s bench/submit.lua "http://127.0.0.1:$port/s/$token" -- "$db$c" > "$OUT/survey-wrk.txt"
    after=$(count "$db" "$url")
    reqs=$(awk '/requests in/{print $1}' "$OUT/survey-wrk.txt")
    bad=$(awk '/Non-2xx/{print $5}' "$OUT/survey-wrk.txt"); bad=${bad:-0}
    errs=$(awk '/Socket errors/{gsub(",",""); print $4+$6+$8+$10}' "$OUT/survey-wrk.txt"); errs=${errs:-0}
    rps=$(awk '/Requests\/sec/{printf "%.0f", $2}' "$OUT/survey-wrk.txt")
    p50=$(ms "$(awk '$1=="50%"{print $2}' "$OUT/survey-wrk.txt")")
    p99=$(ms "$(awk '$1=="99%"{print $2}' "$OUT/survey-wrk.txt")")
    ok=$((reqs - bad))
    stored=$((after - before))
    echo "| $db | $c | $rps | $p50 | $p99 | $ok | $stored | $((bad + errs)) |" >> "$RES"
    if [ "$stored" -lt "$ok" ]; then echo "持久性检查失败：确认了 $ok 份，数据库中只有 $stored 份" >&2; exit 1; fi
  done
  kill $pid; wait $pid 2>/dev/null || true
  trap - EXIT
done

{
  echo
  echo "## Export of $RESPONSES responses × $QUESTIONS questions (and a tenth of it)"
  echo
  echo "| database | responses | format | seconds | responses/s | peak RSS MiB | file MiB |"
  echo "|---|---:|---|---:|---:|---:|---:|"
} >> "$RES"
for db in $DBS; do
  [ "$EXPORT" = 1 ] || continue
  for n in "$RESPONSES" "$((RESPONSES / 10))"; do
    url=$(fresh_url "$db" "x$n")
    "$BIN" generate --scale small --db "$url" >/dev/null
    echo "== $db: $n responses" >&2
    id=$("$BIN" survey synthetic --responses "$n" --questions "$QUESTIONS" --db "$url")
    for f in $FORMATS; do
      file="$OUT/survey-export-$n.$f"
      /usr/bin/time -v "$BIN" survey export --campaign "$id" --format "$f" --out "$file" --db "$url" > "$OUT/survey-run.txt" 2> "$OUT/survey-time.txt" || { cat "$OUT/survey-time.txt" >&2; exit 1; }
      s=$(wall "$OUT/survey-time.txt")
      echo "| $db | $n | $f | $s | $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.0f", n/s}') | $(rss "$OUT/survey-time.txt") | $(du -m "$file" | cut -f1) |" >> "$RES"
      rm -f "$file"
    done
  done
done
cat "$RES"
