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
disown "$LVPID" 2>/dev/null # bash would report its kill on stderr

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

# A port retagged while gc judges it: the stopped libvirtd holds gc in its
# lookup (after it read the ports) while a plug of the VM hands the port out
# again (its csdpdk-plug-time, two hours old, stamped anew). gc's removal
# waits for the tags it read, so it removes nothing; its second look, with
# libvirtd back, keeps the port (plugged less than an hour ago).
P5=$(vsctl --bare --columns=name find Interface external_ids:vm-id="$VM")
plugged_long_ago "$P5"
"$CSDPDK" "${C[@]}" --timeout 30 gc --apply >"$T/raced.json" 2>"$T/raced.err" &
gc_pid=$!
# Until gc holds two sockets: OVSDB's (it read the ports), then libvirtd's.
for _ in $(seq 200); do
    (($(find "/proc/$gc_pid/fd" -lname 'socket:*' 2>/dev/null | wc -l) >= 2)) && break
    sleep 0.05
done
run "${C[@]}" plug <<<"$(plug_request "$VM" client "$(nic "$(mac_for 5 1)" cloudbr0)")"
replug="$status $(jqo '.result.ports[0].created')"
kill -CONT "$LVPID"
wait "$gc_pid"
gc_status=$?
check "a port a plug handed out again while gc --apply waited on libvirtd: gc removes nothing, its second look keeps the port" \
    test "$replug|$gc_status|$(jq -r --arg p "$P5" '"\(.result.removed | length) \(.result.kept[] | select(.port == $p) | .reason)"' "$T/raced.json")|$(vsctl list-ports cloudbr0 | grep -cx "$P5")" = \
    "0 false|0|0 plugged less than 60 minutes ago, its VM not started yet (domain missing)|1"
before=$(invariants_snapshot)

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

# ---- libvirtd killed in the middle of a call ----
# MID_VMS VMs defined in libvirtd (not running: each port an orphan whose
# domain is "inactive"), a port each, so that gc --apply asks libvirt about
# each. libvirtd is SIGKILLed in the middle of a given call (under gdb: gc's
# two calls, capabilities' and migrate-check's), then MID_RUNS times at a
# random moment of gc's run. Each time gc either had every answer before (every
# orphan "inactive": a lost answer is never read as a missing domain; all
# removed) or fails with libvirt_unavailable (a lost connection, as one
# that could not be made) and libvirt's own message, removes nothing, and
# never waits for its --timeout.
MID_VMS=${MID_VMS:-100} MID_RUNS=${MID_RUNS:-10}
restart() { # (disowned: bash would report each kill of it on stderr)
    local p keep=()
    for _ in $(seq 50); do alive "$LVPID" || break; sleep 0.1; done
    # The dead one's PID leaves the list cleanup() kills: it may be reused.
    for p in "${daemon_pids[@]}"; do [[ $p == "$LVPID" ]] || keep+=("$p"); done
    daemon_pids=("${keep[@]}")
    libvirtd_start h1 "$T/h1" >/dev/null || return 1
    LVPID=$(cat "$T/h1/run/libvirtd.pid")
    disown "$LVPID" 2>/dev/null
}
restart || { fail "start libvirtd again"; done_testing; exit; }
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
mid_vms=()
for k in $(seq "$MID_VMS"); do
    v=$(uuid_for $((300 + k)))
    mid_vms+=("$v")
    printf "<domain type='qemu'><name>mid-%d</name><uuid>%s</uuid><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>" "$k" "$v" >"$T/mid.xml"
    lvsh h1 define "$T/mid.xml" >/dev/null || { fail "define domain mid-$k" "$(lvsh h1 define "$T/mid.xml" 2>&1)"; done_testing; exit; }
done
plant() { # a port for each defined VM that has none (four plugs at a time), plugged two hours ago (past gc's grace)
    local k have made pids=()
    have=$(vsctl --format=json --columns=external_ids list Interface |
        jq -r '.data[][0][1][] | select(.[0] == "vm-id") | .[1]')
    : >"$T/made"
    for k in $(seq "$MID_VMS"); do
        grep -qx "${mid_vms[k - 1]}" <<<"$have" && continue
        plug_request "${mid_vms[k - 1]}" client "$(nic "$(mac_for $((300 + k)) 1)" cloudbr0)" |
            "$CSDPDK" "${C[@]}" plug | jq -r '.result.ports[]?.port' >>"$T/made" &
        pids+=($!)
        ((${#pids[@]} < 4)) || { wait "${pids[@]}"; pids=(); }
    done
    ((${#pids[@]} == 0)) || wait "${pids[@]}"
    mapfile -t made <"$T/made"
    plugged_long_ago "${made[@]}"
}
plant
elapsed_run "${C[@]}" gc
gc_ms=$took
check "gc judges the $MID_VMS ports through libvirtd in $gc_ms ms: every one an orphan, its domain inactive" \
    test "$(jqo '[.result.orphans[] | .domain] | unique | join(" ")') $(jqo '.result.orphans | length')" = "inactive $MID_VMS"

declare -A tally=()
mid_bad=0
# judge OUT-FILE STATUS BEFORE DELAY: one gc --apply's answer and exit
# status, libvirtd killed DELAY seconds after its start
judge() {
    local code removed kind
    code=$(jq -r 'if .ok then "ok" else .error.code end' "$1")
    removed=$(jq -r '.result.removed // [] | length' "$1")
    case $code/$2 in
    ok/0) [[ $(jq -r '[.result.orphans[] | .domain] | unique | join(" ")' "$1") == inactive && $removed == "$MID_VMS" ]] ;;
    libvirt_unavailable/69) [[ $(invariants_snapshot) == "$3" && $(jq -r .error.message "$1") != *"unknown libvirt error"* ]] ;;
    *) false ;;
    esac || { mid_bad=$((mid_bad + 1)); echo "# libvirtd killed after $4 s: $code (exit $2), removed $removed: $(head -c 400 "$1")" >&2; }
    kind=$code
    [[ $(jq -r .error.message "$1") == "lost the connection"* ]] && kind="$code (connection lost)"
    tally[$kind]=$((${tally[$kind]:-0} + 1))
}
# kill_in_call FUNCTION ARGS...: runs csdpdk ARGS under gdb, which stops
# at libvirt's FUNCTION; there libvirtd is stopped (SIGSTOP) and the call
# goes on, sent and waiting for its answer, until libvirtd is SIGKILLed
# half a second later: a kill in the middle of that call, whatever the
# machine's speed. csdpdk's answer in $out, its exit status in $status.
kill_in_call() {
    local fn=$1 arg
    shift
    {
        echo "set pagination off"
        echo "set confirm off"
        echo "set breakpoint pending on"
        echo "break $fn"
        echo "commands 1"
        echo "  silent"
        echo "  shell kill -STOP $LVPID; (sleep 0.5; kill -KILL $LVPID) &"
        echo "  delete 1"
        echo "  continue"
        echo "end"
        printf 'run'; for arg in "$CSDPDK_ARGS_Q" "$@"; do printf ' %s' "$arg"; done; echo " >$T/call.out 2>$T/call.err"
        echo 'printf "exit %d\n", $_exitcode'
    } >"$T/call.gdb"
    status=$(gdb -q -batch -x "$T/call.gdb" "$CSDPDK" 2>&1 | sed -n 's/^exit //p')
    out=$(cat "$T/call.out") err=$(cat "$T/call.err")
}
# lost: the last answer is libvirt_unavailable, exit 69, saying that the
# connection was lost, with libvirt's own message.
lost() {
    [[ $status == 69 && $(jqo .error.code) == libvirt_unavailable && $(jqo .error.message) == *"lost the connection to libvirt"* &&
        $(jqo .error.message) != *"unknown libvirt error"* && -z $err ]]
}
CSDPDK_ARGS_Q=$(printf '%q ' "${C[@]}")
for fn in virDomainLookupByUUIDString virDomainIsActive; do
    before=$(invariants_snapshot)
    kill_in_call "$fn" gc --apply
    check "libvirtd killed during gc's $fn: libvirt_unavailable, exit 69, \"$(jqo .error.message | cut -c1-90)...\", nothing removed" \
        bash -c '[[ $1 == yes && $2 == "$3" ]]' _ "$(lost && echo yes)" "$(invariants_snapshot)" "$before"
    restart || { fail "start libvirtd again"; done_testing; exit; }
done
kill_in_call virConnectGetCapabilities capabilities
check "libvirtd killed during capabilities' virConnectGetCapabilities: the libvirt check fails, the other facts stay" \
    test "$status $(jqo '.result.checks[] | select(.id == "libvirt") | "\(.status) \(.code)"') $(jqo '.result.ovs != null')" = "1 failed libvirt_unavailable true"
restart || { fail "start libvirtd again"; done_testing; exit; }
check_request >"$T/check.json"
kill_in_call virNodeGetFreePages migrate-check --request "$T/check.json"
check "libvirtd killed during migrate-check's virNodeGetFreePages on the destination: libvirt_unavailable (exit 69) naming destination, not a verdict" \
    test "$(lost && echo yes) $(jqo .error.field)" = "yes destination"
restart || { fail "start libvirtd again"; done_testing; exit; }
# At random moments of gc's run.
for run_no in $(seq "$MID_RUNS"); do
    before=$(invariants_snapshot)
    r=$((RANDOM % gc_ms))
    delay=$(printf '%d.%03d' $((r / 1000)) $((r % 1000)))
    "$CSDPDK" "${C[@]}" --timeout 30 gc --apply >"$T/mid.out" 2>&1 &
    gc_pid=$!
    sleep "$delay"
    kill -KILL "$LVPID"
    wait "$gc_pid"
    judge "$T/mid.out" $? "$before" "$delay"
    restart || { fail "start libvirtd again"; done_testing; exit; }
    plant
done
summary=$(for c in "${!tally[@]}"; do echo "$c x${tally[$c]}"; done | sort | paste -sd, | sed 's/,/, /g')
check "libvirtd killed at a random moment of gc --apply, $MID_RUNS times ($summary): all judged and removed, or libvirt_unavailable with libvirt's message and nothing removed" \
    test "$mid_bad" = 0
echo "# reliability: faults=$((10 + MID_RUNS)) violations=$mid_bad"
done_testing
