#!/usr/bin/env bash
# plug returns when the switch has the ports, as ovs-vsctl does (next_cfg /
# cur_cfg), against a real DPDK ovs-vswitchd (tests/lib/dpdk.sh) whose
# pidfile is beside OVSDB's socket, as on a real host: a port the switch
# refuses (a regular file where its server-mode socket must be, a switch
# without DPDK) is port_refused with OVS's message and the plug is undone;
# a stopped switch is a timeout within --timeout, undone, and the same
# request succeeds once the switch goes on; "wait": false returns at the
# commit; with no switch at all, plug does not wait and says so.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"

vswitchd_available || { skip "plug waits for a real OVS-DPDK" "$DPDK_UNAVAILABLE"; done_testing; exit; }

ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge br0
vsctl set Open_vSwitch . other_config:vhost-sock-dir=vhost
mkdir -p "$T/ovs/vhost"
agent_properties "$T/agent.properties" "$T/ovs/vhost"
vswitchd_start "$T/ovs" || { fail "start ovs-vswitchd-dpdk"; done_testing; exit; }
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties")
n=0
# new_vm MODE [EXTRA-JQ]: REQ becomes the plug request of a new VM with one
# NIC on br0; NEXT the port name plug would give it (from --dry-run).
new_vm() {
    n=$((n + 1))
    REQ=$(plug_request "$(uuid_for "$n")" "$1" "$(nic "$(mac_for "$n" 1)" br0)" |
        jq -c ".vm.vcpus = 1 | .vm.memory_kib = 1048576 | ${2:-.}")
    NEXT=$("$CSDPDK" "${C[@]}" --dry-run plug <<<"$REQ" | jq -r '.result.ports[0].port')
}
nothing_left() { test "$(vsctl list-ports br0 | wc -l)" = 0; }

new_vm server
run "${C[@]}" plug <<<"$REQ"
check "plug of a server-mode port returns once the switch made it: its socket exists, ofport $(vsctl get Interface "$NEXT" ofport)" \
    test "$status $(vsctl get Interface "$NEXT" ofport) $(test -S "$T/ovs/vhost/$NEXT" && echo socket)" = "0 1 socket"
check "... no warning" test "$(jqo '.warnings | length')" = 0
run "${C[@]}" unplug <<<"$(jq -c '{vm: {uuid: .vm.uuid}}' <<<"$REQ")"

# A regular file where the next port's socket must go.
new_vm server
echo "not a socket" >"$T/ovs/vhost/$NEXT"
run "${C[@]}" plug <<<"$REQ"
check "a regular file at the socket's path: port_refused, exit 69 ($(jqo .error.message))" \
    expect_error port_refused 69
check "... the plug is undone" nothing_left
check "... and the file is left alone" test "$(cat "$T/ovs/vhost/$NEXT")" = "not a socket"
rm "$T/ovs/vhost/$NEXT"
new_vm server '.wait = false'
echo "not a socket" >"$T/ovs/vhost/$NEXT"
run "${C[@]}" plug <<<"$REQ"
check '"wait": false returns at the commit, as before: success, the refused port stays' \
    test "$status $(jqo '.result.ports[0].port') $(vsctl list-ports br0 | wc -l)" = "0 $NEXT 1"
vswitchd_sync
check "... and OVS says why in its error column ($(vsctl get Interface "$NEXT" error))" \
    test "$(vsctl get Interface "$NEXT" ofport)" = -1
run "${C[@]}" unplug <<<"$(jq -c '{vm: {uuid: .vm.uuid}}' <<<"$REQ")"
rm -f "$T/ovs/vhost/$NEXT"

# A switch stopped during the wait.
new_vm client
kill -STOP "$VSWITCHD_PID"
t=$(now_us)
run "${C[@]}" --timeout 2 plug <<<"$REQ"
took=$((($(now_us) - t) / 1000))
kill -CONT "$VSWITCHD_PID"
check "a stopped switch: timeout, exit 75, within --timeout + 1 s (${took} ms)" \
    bash -c '[[ $1 == "75 timeout" ]] && (($2 < 3000))' _ "$status $(jqo .error.code)" "$took"
check "... the plug is undone" nothing_left
run "${C[@]}" plug <<<"$REQ"
check "... the switch goes on: the same request again succeeds" test "$status $(jqo '.result.ports[0].created')" = "0 true"
check "... and the switch has the port (ofport $(vsctl get Interface "$(jqo '.result.ports[0].port')" ofport))" \
    test "$(vsctl get Interface "$(jqo '.result.ports[0].port')" ofport)" -gt 0
run "${C[@]}" unplug <<<"$(jq -c '{vm: {uuid: .vm.uuid}}' <<<"$REQ")"

# A retried plug found the port and waits for the switch when the port is
# removed (the first run gave up and undid it, an unplug, the hook): it
# must not hand out a port that is gone.
new_vm client
kill -STOP "$VSWITCHD_PID"
run "${C[@]}" plug <<<"$(jq -c '.wait = false' <<<"$REQ")"
made="$status $(vsctl list-ports br0)"
"$CSDPDK" "${C[@]}" --timeout 15 plug <<<"$REQ" >"$T/retry.out" 2>&1 &
pid=$!
sleep 3 # past its read of the stopped switch's PMDs (1 s) and its survey, into its wait
vsctl del-port br0 "$NEXT"
kill -CONT "$VSWITCHD_PID"
wait "$pid"
status=$? out=$(cat "$T/retry.out")
check "a retry waiting for the switch while its port is removed: port_conflict, exit 75, naming $NEXT" \
    test "$made|$(expect_error port_conflict 75 && echo y)|$(jqo .error.message | grep -c "port $NEXT (MAC [0-9a-f:]*) was removed")" = "0 $NEXT|y|1"
check "... nothing left" nothing_left

# A switch without DPDK.
vswitchd_stop TERM
vsctl set Open_vSwitch . other_config:dpdk-init=false
vswitchd_run || fail "ovs-vswitchd runs without DPDK"
new_vm client
run "${C[@]}" plug <<<"$REQ"
check "a switch without DPDK: port_refused, exit 69 ($(jqo .error.message))" expect_error port_refused 69
check "... the plug is undone" nothing_left

# No switch at all.
vswitchd_stop TERM
t=$(now_us)
run "${C[@]}" plug <<<"$REQ"
check "no ovs-vswitchd: plug returns at the commit ($((($(now_us) - t) / 1000)) ms), with a warning ($(jqo '.warnings[0]'))" \
    test "$status $(jqo '.warnings | length') $(jqo '.warnings[0]' | grep -c 'not yet in the switch')" = "0 1 1"

done_testing
