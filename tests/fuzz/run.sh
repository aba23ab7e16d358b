#!/usr/bin/env bash
# make fuzz: each libFuzzer target SECONDS seconds, one after the other (one
# core each would starve the other), from its committed corpus into a work
# corpus under O/corpus; then a table of executions, coverage and findings.
# A finding is saved as O/findings/TARGET-crash-* (libFuzzer's artifact);
# copy it to tests/fuzz/corpus/TARGET/finding-NAME with its fix.
#
#   bash tests/fuzz/run.sh O SECONDS TARGET...
set -u
O=$1 SECONDS_EACH=$2
shift 2
mkdir -p "$O/findings"
rows=() total_findings=0
for t in "$@"; do
    work=$O/corpus/$t
    mkdir -p "$work"
    log=$O/fuzz-$t.log
    start=$(date +%s)
    "$O/tests/fuzz/fuzz-$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$O/findings/$t-" \
        "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
    status=$?
    took=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corpus=$(ls "$work" | wc -l)
    findings=$(ls "$O/findings" | grep -c "^$t-" || true)
    total_findings=$((total_findings + findings))
    rows+=("$(printf '| %-10s | %5s | %12s | %8s | %6s | %7s | %6s | %8s |' "$t" "$took" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$findings$( ((status != 0 && findings == 0)) && echo " (exit $status)")")")
done
echo
echo "| target     |     s |   executions |  execs/s | edges  | features | corpus | findings |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
((total_findings == 0)) || { echo "findings in $O/findings: see the logs $O/fuzz-*.log" >&2; exit 1; }
