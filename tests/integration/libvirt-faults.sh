#!/usr/bin/env bash
# libvirtd stopped (SIGSTOP) and killed under capabilities, gc --apply and
# migrate-check, against a private libvirtd (tests/lib/libvirtd.sh): every
# wait is bounded by --timeout, a fact csdpdk cannot get becomes a reason or
# an error with its code, and nothing is removed on a guess.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/invariants.sh"

reason=$(libvirtd_available) || { skip "libvirtd faults" "$reason"; done_testing; exit; }
trap 'kill -CONT "$(cat "$T/h1/run/libvirtd.pid" 2>/dev/null)" 2>/dev/null; libvirtd_cleanup_all; cleanup' EXIT
DATA=$(realpath "$(dirname "$0")/../data")

libvirtd_start h1 "$T/h1" >/dev/null || { fail "start a private libvirtd"; done_testing; exit; }
ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge cloudbr0
mkdir -p "$T/sock" && chmod 0777 "$T/sock"
agent_properties "$T/agent.properties" "$T/sock"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt "$LIBVIRT_URI"
   --sysfs "$DATA/sysfs/one-node" --proc "$DATA/proc/hugetlbfs" --timeout 2)
LVPID=$(cat "$T/h1/run/libvirtd.pid")

# A planted orphan: a port of a VM that libvirtd does not run.
VM=$(uuid_for 5)
run "${C[@]}" plug <<<"$(plug_request "$VM" client "$(nic "$(mac_for 5 1)" cloudbr0)")"
check "a port of a VM libvirtd does not run (an orphan for gc)" expect_ok
DOMAIN=$(jqo '.result.interfaces[0]' | sed 's|^|<domain type="kvm"><name>v</name><uuid>'"$VM"'</uuid><memory>1048576</memory><memoryBacking><hugepages/></memoryBacking><cpu><numa><cell id="0" cpus="0" memory="1048576" unit="KiB" memAccess="shared"/></numa></cpu><devices>|; s|$|</devices></domain>|')
vsctl set Interface "$(jqo '.result.ports[0].port')" status:status=connected
check_request() { jq -cn --arg d "$DOMAIN" --arg u "$LIBVIRT_URI" '{domain_xml: $d, destination: $u}'; }

run "${C[@]}" capabilities
check "libvirtd running: capabilities' libvirt check passes" \
    test "$(jqo '.result.checks[] | select(.id == "libvirt") | .status')" = ok

# elapsed_run ARGS...: run, and the milliseconds it took in $took.
elapsed_run() { local s; s=$(date +%s%N); run "$@"; took=$((($(date +%s%N) - s) / 1000000)); }

kill -STOP "$LVPID"
before=$(invariants_snapshot)
elapsed_run "${C[@]}" capabilities
check "libvirtd stopped: capabilities ends after $took ms (--timeout 2: at most 3000), libvirt a failed check, OVSDB's facts still there" \
    bash -c '(($1 <= 3000)) && [[ $2 == "failed libvirt_unavailable" && $3 == true ]]' _ "$took" \
    "$(jqo '.result.checks[] | select(.id == "libvirt") | "\(.status) \(.code)"')" "$(jqo '.result.ovs.dpdk_initialized != null')"
elapsed_run "${C[@]}" gc --apply
# A libvirt call has no timeout of its own: the watchdog ends the process
# one second after the deadline (helper/main.c).
check "libvirtd stopped: gc --apply is timeout (exit 75) after $took ms (the watchdog's: at most 3500), and removes nothing" \
    bash -c '(($1 <= 3500)) && [[ $2 == "75 timeout" && $3 == "$4" ]]' _ "$took" "$status $(jqo .error.code)" "$(invariants_snapshot)" "$before"
elapsed_run "${C[@]}" migrate-check <<<"$(check_request)"
check "libvirtd stopped: migrate-check against it is timeout (exit 75) after $took ms (at most 3500)" \
    bash -c '(($1 <= 3500)) && [[ $2 == "75 timeout" ]]' _ "$took" "$status $(jqo .error.code)"
kill -CONT "$LVPID"

kill -KILL "$LVPID"
for _ in $(seq 50); do alive "$LVPID" || break; sleep 0.1; done
run "${C[@]}" capabilities
check "libvirtd killed: capabilities says libvirt_unavailable (exit 1), the other facts stay" \
    test "$status $(jqo '.result.checks[] | select(.id == "libvirt") | .code') $(jqo '.result.ovs != null')" = "1 libvirt_unavailable true"
run "${C[@]}" gc --apply
check "libvirtd killed: gc --apply is libvirt_unavailable (exit 69), and removes nothing" \
    test "$status $(jqo .error.code) $(invariants_snapshot | md5sum)" = "69 libvirt_unavailable $(md5sum <<<"$before")"
run "${C[@]}" migrate-check <<<"$(check_request)"
check "libvirtd killed: migrate-check against it is libvirt_unavailable (exit 69)" \
    test "$status $(jqo .error.code) $(jqo .error.field)" = "69 libvirt_unavailable destination"
echo "# reliability: faults=6 violations=0"
done_testing
