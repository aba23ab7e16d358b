#!/usr/bin/env bash
# A crash at every step: each mutating verb is made to die (_exit or
# SIGKILL) at each of its failpoints (helper/failpoint.h: after validation,
# before and after each OVSDB commit, in the middle of migrate-prepare,
# between migrate-abort's and gc --apply's reads and writes, before each of
# sockets-clean's unlinks), on a private OVSDB whose host looks like a DPDK
# host (as in integration/migration.sh). After each crash: the invariants
# hold (tests/lib/invariants.sh), a crash before the commit left OVSDB and
# the socket directory exactly as they were, the retried request succeeds,
# and retrying it once more writes nothing.
#
#   CSDPDK=build/asan/csdpdk bash tests/failpoints.sh   (a build with -DCSDPDK_FAILPOINTS)
#   FAILPOINT_ROUNDS=N: every case N times (make reliability); default 1
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/invariants.sh"

ROUNDS=${FAILPOINT_ROUNDS:-1}
if ! strings "$CSDPDK" | grep -q 'ovsdb.before-commit'; then
    fail "$CSDPDK has failpoints (build it with -DCSDPDK_FAILPOINTS: the ASan+UBSan build does)"
    done_testing; exit
fi
dpdk_host "$T/ovs" || { fail "start ovsdb-server"; done_testing; exit; }
INVARIANTS_SOCKET_DIR=$T/ovs/vhost # a crash before a change leaves it as it was too
C=("${HOST_ARGS[@]}")
request() { # request VM-NUMBER [OP_ID [MODE]]: a two-NIC VM, client mode unless MODE
    dpdk_request "$(uuid_for "$1")" "${3:-client}" "${2:-}" "$(nic "$(mac_for "$1" 1)" cloudbr0 100)" "$(nic "$(mac_for "$1" 2)" cloudbr0)"
}
LIVE="" OPS="" cases=0 crashes=0 violations=0

# crash NAME FAILPOINT ACTION 'same'|'any' VERB... <<< (request in $REQ):
# dies there, then the checks above.
crash() {
    local name=$1 fp=$2 action=$3 expect=$4 st want=99 before after size v
    shift 4
    [[ $action == :kill ]] && want=137
    cases=$((cases + 1))
    before=$(invariants_snapshot)
    CSDPDK_FAILPOINT="$fp${action/exit/}" "$CSDPDK" "${C[@]}" "$@" <<<"$REQ" >/dev/null 2>&1
    st=$?
    ((st == want)) && crashes=$((crashes + 1))
    after=$(invariants_snapshot)
    v=$(invariants_check "$LIVE" "$OPS"); local nv=$?
    violations=$((violations + nv))
    if ((st == want && nv == 0)) && [[ $expect == any || $before == "$after" ]]; then
        ok "$name: killed at $fp (${action}, status $st): invariants hold$([[ $expect == same ]] && echo ", OVSDB as before")"
    else
        fail "$name: killed at $fp ($action)" "status $st, wanted $want" "$v" "$(diff <(echo "$before") <(echo "$after"))"
    fi
    run "${C[@]}" "$@" <<<"$REQ"
    v=$(invariants_check "$LIVE" "$OPS"); nv=$?
    violations=$((violations + nv))
    size=$(db_size)
    local first=$status
    run "${C[@]}" "$@" <<<"$REQ"
    if ((first == 0 && status == 0 && nv == 0)) && [[ $(db_size) == "$size" ]]; then
        ok "... retried: it succeeds, the invariants hold, and once more it writes nothing"
    else
        fail "... retried: it succeeds, the invariants hold, and once more it writes nothing" \
            "first retry $first, second $status, db $size -> $(db_size)" "$v" "$out" "$err"
    fi
}

for ((round = 1; round <= ROUNDS; round++)); do
for action in exit :kill; do
    a=${action#:}
    # plug
    LIVE="$(uuid_for 1)"
    REQ=$(request 1)
    for fp in plug.after-validation ovsdb.before-commit; do crash "plug" "$fp" "$action" same plug; run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 1)\"}}"; done
    crash "plug" ovsdb.after-commit "$action" any plug
    # unplug (the VM's ports exist now)
    REQ="{\"vm\": {\"uuid\": \"$(uuid_for 1)\"}}"
    crash "unplug" ovsdb.before-commit "$action" same unplug
    run "${C[@]}" plug <<<"$(request 1)"
    LIVE=""
    crash "unplug" ovsdb.after-commit "$action" any unplug
    # migrate-prepare, then migrate-finish
    OPS="op-$a-$round" REQ=$(request 2 "op-$a-$round")
    for fp in migrate-prepare.after-checks ovsdb.before-commit; do
        crash "migrate-prepare" "$fp" "$action" same migrate-prepare
        run "${C[@]}" migrate-abort <<<"{\"op_id\": \"op-$a-$round\"}"
    done
    crash "migrate-prepare" ovsdb.after-commit "$action" any migrate-prepare
    LIVE="$(uuid_for 2)" REQ="{\"op_id\": \"op-$a-$round\", \"verify\": false}"
    crash "migrate-finish" ovsdb.before-commit "$action" same migrate-finish
    run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 2)\"}}"
    run "${C[@]}" migrate-prepare <<<"$(request 2 "op-$a-$round")"
    crash "migrate-finish" ovsdb.after-commit "$action" any migrate-finish
    run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 2)\"}}"
    LIVE=""
    # migrate-abort: the destination's ports of an operation that failed
    OPS="ab-$a-$round"
    run "${C[@]}" migrate-prepare <<<"$(request 3 "ab-$a-$round")"
    REQ="{\"op_id\": \"ab-$a-$round\"}"
    crash "migrate-abort (between its reads and its writes)" ovsdb.before-commit "$action" same migrate-abort
    run "${C[@]}" migrate-prepare <<<"$(request 3 "ab-$a-$round")"
    OPS=""
    crash "migrate-abort" ovsdb.after-commit "$action" any migrate-abort
    # gc --apply: VM 4 is not in libvirt (test:///default runs 'test' only),
    # plugged two hours ago (past gc's grace for its start)
    run "${C[@]}" plug <<<"$(request 4)"
    plugged_long_ago $(jqo '.result.ports[].port')
    LIVE="$(uuid_for 4)" REQ=""
    crash "gc --apply (between its reads and its writes)" ovsdb.before-commit "$action" same gc --apply
    run "${C[@]}" plug <<<"$(request 4)"
    plugged_long_ago $(jqo '.result.ports[].port')
    LIVE=""
    crash "gc --apply" ovsdb.after-commit "$action" any gc --apply
    # sockets-clean: the stale sockets of a server-mode VM's ports (bound
    # by a switch that is gone: here, by a process that exited)
    run "${C[@]}" plug <<<"$(request 5 "" server)"
    mapfile -t stale < <(jqo '.result.ports[].port')
    for name in "${stale[@]}"; do
        stale_socket "$T/ovs/vhost/$name"
    done
    LIVE="$(uuid_for 5)" REQ=""
    crash "sockets-clean (before an unlink)" sockets-clean.before-unlink "$action" same sockets-clean
    check "... the crash left the ${#stale[@]} stale sockets in place, and the retry removed them" \
        test "${#stale[@]} $(ls -A "$T/ovs/vhost" | wc -l)" = "2 0"
    run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 5)\"}}"
    LIVE=""
done
done
v=$(invariants_check "" ""); nv=$?
check "at the end no csdpdk port is left and the invariants hold" \
    test "$nv $(vsctl --bare --columns=name find Interface 'external_ids:vm-id!=""' | grep -c .)" = "0 0"
echo "# failpoints: $cases cases, $crashes crashes injected, $violations invariant violations"
echo "# reliability: faults=$crashes violations=$violations"
done_testing
