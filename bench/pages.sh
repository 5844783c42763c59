#!/usr/bin/env bash
# Root pages at scale (issue 20): serves a benchmark database and times the pages a
# jurisdiction administrator opens at its root — 概览, 合规检查, 待办, the organisation
# page, 调研报告 and the research overview — the first view and the median of five more,
# with curl over HTTP as a browser would ask for them. Results go to bench/out/pages.md.
#
#   SCALE=city bench/pages.sh                      # the database bench/report.sh made
#   DB=postgres://… SCALE=city bench/pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-city}
DB=${DB:-sqlite://bench/out/report-$SCALE.db}
PORT=${PORT:-18431}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p dangjian
BIN=target/release/dangjian
PASS=bench-pages-2026
printf '%s\n' "$PASS" | "$BIN" user create --username benchadmin --role admin --db "$DB" >/dev/null 2>&1 || true
"$BIN" serve --bind "127.0.0.1:$PORT" --db "$DB" > "$OUT/pages-serve.log" 2>&1 &
pid=$!
jar=$(mktemp)
trap 'kill $pid 2>/dev/null; rm -f "$jar"' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&username=benchadmin&password=$PASS" "http://127.0.0.1:$PORT/login"
root=$(curl -s -b "$jar" -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$PORT/orgs" | grep -o '[0-9]*$')
{
  echo "# 根组织页面响应时间（$SCALE，$(date +%F)，$DB）"
  echo
  echo "| 页面 | 状态 | 首次（秒） | 其后5次中位数（秒） |"
  echo "|---|---|---:|---:|"
} > "$OUT/pages.md"
for page in /overview /compliance /todo "/orgs/$root" /report /research; do
  first=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT$page")
  times=$(for _ in 1 2 3 4 5; do curl -s -b "$jar" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT$page"; done | sort -n | sed -n 3p)
  echo "| $page | ${first% *} | ${first#* } | $times |" >> "$OUT/pages.md"
done
cat "$OUT/pages.md"
