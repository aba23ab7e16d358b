#!/usr/bin/env bash
# A real ovs-vswitchd with DPDK (userspace, no hugepages) and dpdk-testpmd
# as stand-in VMs: a client-mode port (dpdkvhostuserclient, the VM owns the
# socket) comes back by itself after ovs-vswitchd restarts, with TERM or
# KILL; a server-mode port (dpdkvhostuser, OVS owns the socket) does not
# until the VM side reconnects. "Link up" always means a frame got through
# (link_up in tests/lib/dpdk.sh), never Interface.status alone.
# Diagnostics (times, Interface.status, memory) are TAP comments (# ...).
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"

if ! vswitchd_available; then
    skip "client-mode vhost-user reconnect with a real OVS-DPDK" "$DPDK_UNAVAILABLE"
    done_testing
    exit
fi

ovsdb_start "$T/ovs" || { fail "start ovsdb-server" "$(cat "$T/ovs/stderr.log")"; done_testing; exit; }
add_bridge br0
SOCKDIR=$T/sock
mkdir -p "$SOCKDIR"
agent_properties "$T/agent.properties" "$SOCKDIR"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default)
VM1=$(uuid_for 1) VM2=$(uuid_for 2)

# note TEXT...: a TAP comment.
note() {
    printf '# %s\n' "$*"
}

# secs SINCE_US: seconds since SINCE_US, 2 decimals.
secs() {
    local d=$(($(now_us) - $1))
    printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000))
}

# port_status PORT FILTER: jq FILTER applied to PORT's entry in 'csdpdk
# status' (run in a subshell: $out is left alone).
port_status() {
    run "${C[@]}" status </dev/null
    jq -r --arg p "$1" ".result.ports[] | select(.port == \$p) | $2" <<<"$out"
}

# wait_for SECONDS CMD...: true once CMD succeeds (every 0.2 s), bounded.
wait_for() {
    local deadline=$(($(now_us) + $1 * 1000000))
    shift
    until "$@"; do
        (($(now_us) < deadline)) || return 1
        sleep 0.2
    done
}

started=$(now_us)
if ! vswitchd_start "$T/vs" 2>"$T/vswitchd-start.err"; then
    fail "ovs-vswitchd-dpdk starts (dpdk-init, --no-huge)" "$(cat "$T/vswitchd-start.err")"
    done_testing
    exit
fi
ok "ovs-vswitchd-dpdk starts with DPDK initialised ($(secs "$started") s)"
check "... DPDK is initialised (Open_vSwitch dpdk_initialized)" \
    test "$(vsctl get Open_vSwitch . dpdk_initialized)" = true
check "... and the bridge is userspace (netdev datapath)" \
    test "$(ovs-appctl -t "$VSWITCHD_CTL" dpif/show | head -n 1 | cut -d: -f1)" = netdev@ovs-netdev

# ---- a client-mode NIC ----
run "${C[@]}" plug <<<"$(plug_request "$VM1" client "$(nic "$(mac_for 1 1)" br0)")"
check "csdpdk plug of a client-mode NIC succeeds" expect_ok
P1=$(jqo '.result.ports[0].port')
check "... a dpdkvhostuserclient port, its socket in the agent's directory under \$T" \
    test "$(vsctl get Interface "$P1" type) $(vsctl get Interface "$P1" options:vhost-server-path)" \
    = "dpdkvhostuserclient \"$SOCKDIR/$P1\""
started=$(now_us)
if ! testpmd_start vm1 "$SOCKDIR/$P1" server 2>"$T/testpmd.err"; then
    fail "testpmd (server=1) starts on $SOCKDIR/$P1" "$(cat "$T/testpmd.err")"
    done_testing
    exit
fi
ok "the stand-in VM (testpmd, server=1) owns the socket"
if link_up "$P1" 15; then
    ok "the link of $P1 comes up: a frame from the switch reaches the VM ($(secs "$started") s after testpmd started)"
else
    fail "the link of $P1 comes up" "$(vhost_log "$P1")" "Interface.status: $(vsctl get Interface "$P1" status)"
fi
check "... testpmd sees its link up" test "$(testpmd_link vm1)" = up
check "csdpdk status lists $P1 with its VM, type, mode and socket" \
    test "$(port_status "$P1" '"\(.owner) \(.type) \(.mode) \(.socket)"')" \
    = "$VM1 dpdkvhostuserclient client $SOCKDIR/$P1"
# What OVS has in the Interface row, as csdpdk status reports it.
ovs_view() {
    local vrings numa err
    vrings=$(iface_status "$1" num_of_vrings)
    numa=$(iface_status "$1" numa)
    err=$(vsctl get Interface "$1" error | sed 's/^\[\]$//; s/^"//; s/"$//')
    echo "ofport=$(vsctl get Interface "$1" ofport) numa=${numa:-null}" \
        "queues=$([[ -n $vrings ]] && echo $((vrings / 2)) || echo null) error=${err:-null}" \
        "link_state=$(vsctl get Interface "$1" link_state | tr -d '"')"
}
check "csdpdk status reports OVS's ofport, numa, queues, error and link_state for $P1" \
    test "$(port_status "$P1" '"ofport=\(.ofport) numa=\(.numa) queues=\(.queues) error=\(.error) link_state=\(.link_state)"')" \
    = "$(ovs_view "$P1")"
check "... an ofport, one queue pair, no error" \
    test "$(port_status "$P1" '"\(.ofport > 0) \(.queues) \(.error)"')" = "true 1 null"
note "csdpdk status: $P1 $(port_status "$P1" '"connected=\(.connected) link_state=\(.link_state) numa=\(.numa) queues=\(.queues)"');" \
    "Interface.status=$(iface_status "$P1"); log says added: $(vhost_added "$P1" && echo yes || echo no)"

# ---- ovs-vswitchd restarts: the client-mode port comes back by itself ----
# Several times each: the port must come back every time, and Interface.status
# is noted (OVS 3.1.0 has been seen to leave it at "disconnected" on a
# working link).
for sig in TERM KILL TERM KILL; do
    if ! vswitchd_restart "$sig" 2>"$T/restart.err"; then
        fail "ovs-vswitchd restarts after $sig" "$(cat "$T/restart.err")"
        continue
    fi
    ready=$(secs "$VSWITCHD_T0")
    check "$sig: ... no Interface reports an error" test -z "$(iface_errors)"
    if link_up "$P1" 20; then
        ok "after ovs-vswitchd $sig and restart, $P1 is back by itself ($(secs "$VSWITCHD_T0") s after the restart)"
    else
        fail "after ovs-vswitchd $sig and restart, $P1 comes back" "$(vhost_log "$P1")" \
            "Interface.status: $(vsctl get Interface "$P1" status)" "$(tail -n 5 "${TESTPMD_DIR[vm1]}/log")"
    fi
    note "$sig: daemon ready ${ready} s; Interface.status=$(iface_status "$P1");" \
        "log says added: $(vhost_added "$P1" && echo "yes, $(vhost_added_after "$P1") s after its first line" || echo no)"
done

# ---- a server-mode NIC ----
run "${C[@]}" plug <<<"$(plug_request "$VM2" server "$(nic "$(mac_for 2 1)" br0)")"
check "csdpdk plug of a server-mode NIC succeeds" expect_ok
P2=$(jqo '.result.ports[0].port')
check "... a dpdkvhostuser port" test "$(vsctl get Interface "$P2" type)" = dpdkvhostuser
check "... ovs-vswitchd has applied it" vswitchd_sync
S2=$(vhost_socket "$P2")
check "... and listens on its socket in its run directory" test -S "$S2" -a "${S2%/*}" = "$VSWITCHD_DIR"
# csdpdk's plug result names the socket under openvswitch.dpdk.ovs.path for
# both modes; in server mode OVS puts it in OVS_RUNDIR[/vhost-sock-dir],
# which differs here (and is equal in a default CloudStack host).
note "plug result socket for $P2: $(jqo '.result.ports[0].socket'); OVS's socket: $S2"
started=$(now_us)
if testpmd_start vm2 "$S2" 2>"$T/testpmd.err"; then
    ok "a second stand-in VM (testpmd, client) connects to $S2"
else
    fail "a second stand-in VM (testpmd, client) connects to $S2" "$(cat "$T/testpmd.err")"
fi
if link_up "$P2" 15; then
    ok "the link of $P2 comes up ($(secs "$started") s after testpmd started)"
else
    fail "the link of $P2 comes up" "$(vhost_log "$P2")"
fi
note "csdpdk status: $P2 connected=$(port_status "$P2" .connected), Interface.status=$(iface_status "$P2")"

# Both directions, VM to VM through the switch (flooded: MACs unknown).
rx2=$(testpmd_rx vm2) && testpmd_tx vm1 >/dev/null && rx2b=$(testpmd_rx vm2)
check "frames from VM1 reach VM2 through the switch" test "$((${rx2b:-0} - ${rx2:-0}))" -ge 32
rx1=$(testpmd_rx vm1) && testpmd_tx vm2 >/dev/null && rx1b=$(testpmd_rx vm1)
check "frames from VM2 reach VM1 through the switch" test "$((${rx1b:-0} - ${rx1:-0}))" -ge 32

# ---- restarts with both ports ----
# The server-mode port: ovs-vswitchd closes the connection when it stops, and
# the VM side, a vhost-user client (QEMU in libvirt's client mode, here
# testpmd's virtio-user without server=1), does not reconnect: its link
# stays down although the new ovs-vswitchd listens on the same path again
# (after KILL only because vswitchd_restart removed the stale socket file
# first). It comes back only when the VM side reconnects, here a testpmd
# restart (for a real VM: a restart or a re-attach of the NIC).
for sig in TERM KILL; do
    stale=no
    if ! vswitchd_stop "$sig"; then
        fail "ovs-vswitchd stops with $sig"
        continue
    fi
    [[ -S $S2 ]] && stale=yes
    if ! vswitchd_run 2>"$T/restart.err"; then
        fail "ovs-vswitchd restarts after $sig" "$(cat "$T/restart.err")"
        continue
    fi
    note "$sig: server socket file left behind by the stopped daemon: $stale"
    check "$sig: ... no Interface reports an error" test -z "$(iface_errors)"
    if link_up "$P1" 20; then
        ok "$sig with two ports: client-mode $P1 is back by itself ($(secs "$VSWITCHD_T0") s)"
    else
        fail "$sig with two ports: client-mode $P1 comes back" "$(vhost_log "$P1")"
    fi
    note "$sig: $P1 Interface.status=$(iface_status "$P1")"
    check "$sig: the new ovs-vswitchd listens on $S2 again" test -S "$S2"
    if link_up "$P2" 5; then
        fail "$sig: server-mode $P2 stays down while the VM side does not reconnect" \
            "it came back by itself: $(vhost_log "$P2")"
    else
        ok "$sig: server-mode $P2 stays down while the VM side does not reconnect (5 s)"
    fi
    check "$sig: ... testpmd (client) sees its link down" test "$(testpmd_link vm2)" = down
    note "$sig: $P2 Interface.status=$(iface_status "$P2"), csdpdk status connected=$(port_status "$P2" .connected)"
    started=$(now_us)
    if testpmd_restart vm2 2>"$T/testpmd.err" && link_up "$P2" 15; then
        ok "$sig: $P2 comes back once the VM side reconnects (testpmd restarted, $(secs "$started") s)"
    else
        fail "$sig: $P2 comes back once the VM side reconnects" "$(cat "$T/testpmd.err")" "$(vhost_log "$P2")"
    fi
done

# ---- unplug ----
note "ovs-vswitchd (last): RSS $(($(rss_kb "$VSWITCHD_PID") / 1024)) MB, CPU $(cpu_ticks "$VSWITCHD_PID")" \
    "ticks in $(secs "$VSWITCHD_T0") s; testpmd vm1: RSS $(($(rss_kb "${TESTPMD_PID[vm1]}") / 1024)) MB," \
    "CPU $(cpu_ticks "${TESTPMD_PID[vm1]}") ticks in all"
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}}"
check "csdpdk unplug of VM1 removes $P1" test "$status $(jqo '.result.removed | join(" ")')" = "0 $P1"
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM2\"}}"
check "csdpdk unplug of VM2 removes $P2" test "$status $(jqo '.result.removed | join(" ")')" = "0 $P2"
check "... no port left on br0 in OVSDB" test -z "$(vsctl list-ports br0)"
check "... ovs-vswitchd has applied it" vswitchd_sync
check "... and has dropped both ports from the datapath" \
    bash -c "! ovs-appctl -t '$VSWITCHD_CTL' dpif/show | grep -qw -e '$P1' -e '$P2'"
check "... its server-mode socket is gone" test ! -e "$S2"
check "... both VMs see their link go down" \
    wait_for 10 eval '[[ $(testpmd_link vm1) == down && $(testpmd_link vm2) == down ]]'
check "... and the switch is still alive" alive "$VSWITCHD_PID"

testpmd_stop vm1
testpmd_stop vm2
check "vswitchd_stop: ovs-vswitchd exits on TERM" vswitchd_stop TERM
done_testing
