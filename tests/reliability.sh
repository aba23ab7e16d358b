#!/usr/bin/env bash
# make reliability: the long versions of the reliability suites, then one
# table: suite, checks run, faults injected, invariant violations (must be
# 0), duration. 'make check' runs a reduced version of each.
#
#   CSDPDK=build/csdpdk ASAN_CSDPDK=build/asan/csdpdk bash tests/reliability.sh
set -u
CSDPDK=${CSDPDK:-build/csdpdk}
ASAN_CSDPDK=${ASAN_CSDPDK:-build/asan/csdpdk}
SAN="ASAN_OPTIONS=exitcode=86:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
FUZZ_TARGETS=${FUZZ_TARGETS:-request url snippet domxml rewrite properties sysfs ovsdb}
rows=() total_failed=0 total_passed=0 log=$(mktemp -d)

# suite NAME FAULTS-LABEL 'COMMAND': runs it, counts its TAP lines and reads
# its '# reliability: faults=N violations=N' line, if it prints one.
suite() {
    local name=$1 cmd=$2 start out status passed failed faults violations
    echo "== $name" >&2
    start=$(date +%s)
    out=$(bash -c "$cmd" 2>&1)
    status=$?
    printf '%s\n' "$out" >"$log/$(tr -c 'a-z0-9' '-' <<<"$name").log"
    passed=$(grep -cE '^ok [0-9]+' <<<"$out")
    failed=$(grep -cE '^not ok [0-9]+' <<<"$out")
    ((status != 0 && failed == 0)) && failed=1
    faults=$(sed -n 's/^# reliability:.*faults=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
    violations=$(sed -n 's/^# reliability:.*violations=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
    grep -E '^not ok' <<<"$out" | head -5 >&2
    total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
    rows+=("$(printf '| %-44s | %6s | %6s | %10s | %6s | %5s s |' "$name" "$passed" "$failed" "${faults:--}" "${violations:--}" "$(($(date +%s) - start))")")
}

replay=""
for t in $FUZZ_TARGETS; do
    work=build/fuzz/corpus/$t
    # each its own status: a sanitizer's abort prints no "not ok" of its own
    replay+="$SAN $(dirname "$ASAN_CSDPDK")/tests/fuzz/replay-$t tests/fuzz/corpus/$t $([[ -d $work ]] && echo "$work") || echo 'not ok 0 - replay-$t exited with an error'; "
done
suite "fuzz corpora (and make fuzz's work corpora), ASan" "$replay"
[[ -n ${GOLDEN_VALGRIND:-} ]] && suite "golden cases, all under valgrind" "$GOLDEN_VALGRIND"
suite "a crash at every step, 10 rounds, ASan" "$SAN FAILPOINT_ROUNDS=10 CSDPDK=$ASAN_CSDPDK bash tests/failpoints.sh"
suite "ovsdb-server killed (50 plugs, 50 unplugs), stopped, disk full" "FAULT_RUNS=50 CSDPDK=$CSDPDK bash tests/integration/fault.sh"
for procs in 2 8 32 64; do
    suite "$procs parallel plugs × 20 rounds, twice-at-once, gc storm, plug+prepare" "PROCS=$procs ROUNDS=20 AT_ONCE=25 CSDPDK=$CSDPDK bash tests/integration/concurrency.sh"
done
suite "10,000 operations: processes, threads, fds" "LEAK_OPS=10000 CSDPDK=$CSDPDK bash tests/integration/leaks.sh"
suite "libvirtd stopped and killed, 50 times mid-call" "MID_RUNS=50 CSDPDK=$CSDPDK bash tests/integration/libvirt-faults.sh"
suite "security regressions" "CSDPDK=$CSDPDK bash tests/integration/security.sh"

echo
echo "| suite                                        | passed | failed | faults inj. | viol.  | time    |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "logs: $log"
echo "$total_passed passed, $total_failed failed"
((total_failed == 0))
