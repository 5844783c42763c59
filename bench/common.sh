# Shared set-up of the benchmark scripts (sourced, not run): tools from Debian and PyPI,
# the release binary copied as $BIN, the rules file in effect, PostgreSQL when $DBS
# names it ($PG_BASE), the jurisdiction's root code for $SCALE ($ROOT), and rss/wall to
# read `/usr/bin/time -v` output. Expects SCALE, DBS and OUT; $1 names the binary copy.
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3; }
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/python -c "import duckdb" 2>/dev/null || bench/.venv/bin/pip install -q duckdb

cargo build --release -p dangjian
BIN="$OUT/dangjian-$1-$SCALE"
cp target/release/dangjian "$BIN"
"$BIN" rules export > "$OUT/rules.toml"
if [[ " $DBS " == *" postgres "* ]]; then
  eval "$(scripts/pg-start.sh --env)"
  PG_BASE=${DANGJIAN_TEST_PG_URL%/*}
fi
case "$SCALE" in
  province) ROOT=P33 ;;
  city) ROOT=C3301 ;;
  *) ROOT=330122-00000 ;;
esac
rss() { awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$1"; }
wall() { awk -F': ' '/Elapsed \(wall/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.2f", s}' "$1"; }
# Runs a command $RUNS times (default 3) under /usr/bin/time -v and keeps the run with the
# median wall time as $1.time (one run of a process varies with the page cache and the
# machine; the median is steadier for a ratio). Usage: timed PREFIX OUTFILE cmd args…
timed() {
  local prefix=$1 out=$2; shift 2
  local n=${RUNS:-3} i
  for i in $(seq 1 "$n"); do
    /usr/bin/time -v -o "$prefix.time.$i" "$@" > "$out"
  done
  local best
  best=$(for i in $(seq 1 "$n"); do echo "$(wall "$prefix.time.$i") $i"; done | sort -n | awk -v m=$(( (n + 1) / 2 )) 'NR == m {print $2}')
  cp "$prefix.time.$best" "$prefix.time"
  echo "$(for i in $(seq 1 "$n"); do wall "$prefix.time.$i"; echo -n " "; done)" > "$prefix.runs"
  rm -f "$prefix".time.[0-9]*
}
