#!/usr/bin/env bash
# make fuzz: each libFuzzer target SECONDS seconds, JOBS targets at a time
# (FUZZ_JOBS, 1 by default: one core each, and a second would starve the
# first on a 2-core machine), from its committed corpus into a work corpus
# under O/corpus; then a table of executions, coverage and findings, with the
# CPU time each target really had (under load it is less than its wall time).
# A finding is saved as O/findings/TARGET-crash-* (libFuzzer's artifact);
# copy it to tests/fuzz/corpus/TARGET/finding-NAME with its fix.
#
#   bash tests/fuzz/run.sh O SECONDS JOBS TARGET...
set -u
O=$1 SECONDS_EACH=$2 JOBS=$3
shift 3
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: FUZZ_JOBS must be a positive number, not '$JOBS'" >&2; exit 2; }
[[ $SECONDS_EACH =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: FUZZ_SECONDS must be a positive number, not '$SECONDS_EACH'" >&2; exit 2; }
mkdir -p "$O/findings"

# One target: fuzz it, then write its table row to O/row-TARGET.
fuzz_one() {
    local t=$1 work=$O/corpus/$1 log=$O/fuzz-$1.log start status took
    mkdir -p "$work"
    start=$(date +%s)
    /usr/bin/time -f '%U %S' -o "$O/cpu-$t" \
        "$O/tests/fuzz/fuzz-$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$O/findings/$t-" \
        "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
    status=$?
    took=$(($(date +%s) - start))
    local execs rate cov ft corpus findings cpu
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    cpu=$(awk '{ printf "%d", $1 + $2 }' "$O/cpu-$t" 2>/dev/null)
    corpus=$(ls "$work" | wc -l)
    findings=$(ls "$O/findings" | grep -c "^$t-" || true)
    printf '| %-10s | %6s | %5s | %12s | %8s | %6s | %8s | %6s | %8s |\n' "$t" "$took" "${cpu:-?}" \
        "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus" \
        "$findings$( ((status != 0 && findings == 0)) && echo " (exit $status)")" >"$O/row-$t"
    ((status == 0 || findings > 0)) || echo "$t" >>"$O/failed-to-run"
}

rm -f "$O/failed-to-run"
running=0
for t in "$@"; do
    rm -f "$O/row-$t"
    if ((running >= JOBS)); then wait -n; running=$((running - 1)); fi
    fuzz_one "$t" &
    running=$((running + 1))
done
wait

total_findings=$(ls "$O/findings" | grep -cE "^($(IFS='|'; echo "$*"))-" || true)
echo
echo "| target     | wall s | CPU s |   executions |  execs/s | edges  | features | corpus | findings |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in "$@"; do cat "$O/row-$t" 2>/dev/null || echo "| $t | no result |"; done
echo
((total_findings == 0)) || { echo "findings in $O/findings: see the logs $O/fuzz-*.log" >&2; exit 1; }
[[ ! -s $O/failed-to-run ]] || { echo "failed without a finding: $(tr '\n' ' ' <"$O/failed-to-run")(see $O/fuzz-TARGET.log)" >&2; exit 1; }
