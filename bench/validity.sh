#!/usr/bin/env bash
# The report's validity (issue 16): problems drawn from the indicator catalogue are planted
# into compliant counties (crates/testkit/src/plant.rs) and the report must list exactly
# them in 三 and praise none of them in 二. Prints the tally (plants, found, missed,
# invented, praised) and fails on any miss. CI runs a short version of the same test.
#
#   bench/validity.sh                                   # 5 seeds × 12 trials (≈ 120 plants)
#   DANGJIAN_PLANT_SEEDS=3,5 DANGJIAN_PLANT_TRIALS=30 bench/validity.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
started=$(date +%s)
RUST_BACKTRACE=0 cargo test --release -q -p report --test validity -- --ignored --nocapture 2>&1 | tee bench/out/validity.log | grep -E "植入问题|test result|panicked|recall|precision|achievement"
echo "用时 $(( $(date +%s) - started )) 秒；记录在 bench/out/validity.log"
