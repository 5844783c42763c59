#!/usr/bin/env bash
# Fuzzing (issue 17): the proptest fuzz targets run longer than in CI — citizen IDs and
# dates (crates/domain/tests/fuzz.rs), the CSV/XLSX/XLS readers (crates/sheets/tests/fuzz.rs),
# the XLSForm readers (crates/survey/tests/fuzz.rs). cargo-fuzz needs a nightly toolchain,
# which this project does not assume. Inputs that crashed are kept in
# crates/sheets/tests/fuzz-crashes/ and replayed by the test suite; the last input of a
# run is written to $DANGJIAN_FUZZ_LAST.<ext>, so an abort (which no test can catch) can be
# replayed. Results go to bench/out/fuzz.md.
#
#   bench/fuzz.sh                  # 20 000 cases per target (≈ 3 minutes after the build)
#   CASES=200000 bench/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${CASES:-20000}
mkdir -p bench/out
export PROPTEST_CASES=$CASES DANGJIAN_FUZZ_LAST=${DANGJIAN_FUZZ_LAST:-bench/out/fuzz-last}
{
  echo "# 模糊测试（每个目标 $CASES 组输入，$(date +%F)）"
  echo
  echo "| 目标 | 结果 | 用时（秒） |"
  echo "|---|---|---|"
} > bench/out/fuzz.md
for target in "domain fuzz" "sheets fuzz" "survey fuzz"; do
  set -- $target
  started=$(date +%s)
  if cargo test --release -q -p "$1" --test "$2" > "bench/out/fuzz-$1.log" 2>&1; then result="通过"; else result="失败（见 bench/out/fuzz-$1.log）"; fi
  echo "| $1 | $result | $(( $(date +%s) - started )) |" >> bench/out/fuzz.md
done
cat bench/out/fuzz.md
