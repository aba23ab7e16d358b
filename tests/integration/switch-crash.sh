#!/usr/bin/env bash
# Every VM survives a crash of the switch, in both modes. Two guests (QEMU
# under a private libvirtd, tests/lib/hosts.sh) on one host's OVS-DPDK: one
# in server mode (OVS owns the socket, QEMU reconnects: <reconnect>), one in
# client mode (QEMU owns the socket, OVS reconnects). ovs-vswitchd is killed
# with -9 and started again CRASH_ROUNDS times (default 10) the way the
# systemd drop-in of packaging/ starts it: csdpdk sockets-clean first. Each
# time both guests' traffic must come back through the switch (the frame
# clock of hosts.sh, a frame every 0.1 s). The control, without the verb:
# the dead switch's socket stays, the new one cannot bind it, and the
# server-mode guest stays cut off. sockets-clean's own cases are checked on
# the real switch too.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/hosts.sh"
. "$(dirname "$0")/../lib/migrate.sh"

ROUNDS=${CRASH_ROUNDS:-10}
KIB=$((GUEST_MEMORY_MIB * 1024)) VLANS=("")
trap 'libvirtd_cleanup_all; pages_restore; cleanup' EXIT
hosts_ready_or_skip "guests through a switch crash" $((2 * KIB / 2048 + 32))
host_up h1 2>"$T/h1.err" || { fail "start the host" "$(cat "$T/h1.err")"; done_testing; exit; }
DIR=$(host_sockdir h1)

# boot NAME N MODE: a guest with one NIC in MODE, its frames through the switch.
declare -A GUEST_MAC GUEST_PORT
boot() {
    NAME=$1 VM=$(uuid_for "$2") MACS=("52:54:00:63:00:0$2")
    mig_guest_xml csdpdk.ping=0.1 >"$T/base.xml"
    hrun h1 plug <<<"$(vm_request "$3")"
    GUEST_MAC[$1]=${MACS[0]} GUEST_PORT[$1]=$(jqo '.result.ports[0].port')
    jqo .result.domain_xml >"$T/$1.xml"
    local t0=$(lv_now)
    if lvsh h1 define "$T/$1.xml" >/dev/null && lvsh h1 start "$1" >/dev/null &&
        frames_wait h1 "${MACS[0]}" 5 "$t0" 180; then
        ok "$1 ($3 mode, port ${GUEST_PORT[$1]}): the guest's frames cross the switch ($(lv_since "$t0") s after start)"
    else
        fail "$1 ($3 mode): the guest's frames cross the switch" "$out" "$(tail -n 5 "$(mig_console h1)")"
        return 1
    fi
}
boot vm-server 1 server || { done_testing; exit; }
boot vm-client 2 client || { done_testing; exit; }
SERVER_SOCKET=$DIR/${GUEST_PORT[vm-server]}

# ---- sockets-clean on the real switch ----

stale_socket "$DIR/stray.sock"
echo "notes" >"$DIR/notes"
hrun h1 sockets-clean
check "with the switch running, sockets-clean removes nothing: the server-mode socket is kept, the switch holds it" \
    test "$status $(jqo '.result.removed | length') $(jq -r --arg p "${GUEST_PORT[vm-server]}" '.result.kept[] | select(.name == $p) | .reason' <<<"$out")" \
    = "0 0 ovs-vswitchd (pid $(host_use h1; echo "$VSWITCHD_PID")) holds it"
check "... so are the client-mode port's socket (QEMU's) and a socket of no port; other files are not its business" \
    test "$(jqo '[.result.kept[] | .name] | join(" ")')" = "${GUEST_PORT[vm-server]} ${GUEST_PORT[vm-client]} stray.sock"
# The run directory named another way (/var/run is /run on a real host):
# the switch's socket is the same file, whatever the spelling of its path.
ln -s "$T/h1/ovs" "$T/run-alias"
run --ovsdb "unix:$T/run-alias/db.sock" --agent-properties "$T/h1/agent.properties" sockets-clean
check "... with --ovsdb through another path to the run directory: the server-mode socket is still the switch's, kept" \
    test "$status $(jqo '.result.removed | length') $(jq -r --arg p "${GUEST_PORT[vm-server]}" '.result.kept[] | select(.name == $p) | .reason' <<<"$out")" \
    = "0 0 ovs-vswitchd (pid $(host_use h1; echo "$VSWITCHD_PID")) holds it"

# frames_back GUEST SINCE TIMEOUT: the guest's frames cross the switch again
# after SINCE (lv_now); RECOVERY is the first one's delay, in seconds.
frames_back() {
    local first
    frames_wait h1 "${GUEST_MAC[$1]}" 3 "$2" "$3" || return 1
    first=$(frames_times h1 "${GUEST_MAC[$1]}" "$2" | head -n 1)
    RECOVERY=$(awk -v a="$2" -v b="$first" 'BEGIN { printf "%.2f", b - a }')
}

# crash [clean]: kill -9 of the switch, then a new one; with "clean",
# csdpdk sockets-clean runs first, as the drop-in's ExecStartPre does.
# STARTED is when the new switch was started (lv_now).
crash() {
    host_use h1
    vswitchd_stop KILL
    CLEANED=
    if [[ ${1:-} == clean ]]; then
        hrun h1 sockets-clean
        CLEANED=$out
    fi
    STARTED=$(lv_now)
    VSWITCHD_CLEAN_SOCKETS=0 vswitchd_run 2>"$T/restart.err" && frames_start h1 2>>"$T/restart.err" ||
        fail "ovs-vswitchd and the frame clock start again" "$(tail -n 8 "$T/restart.err")"
}

# ---- the control: no sockets-clean ----

crash
check "control, without sockets-clean: the dead switch's socket is still there" test -S "$SERVER_SOCKET"
if frames_back vm-server "$STARTED" 10; then
    fail "control: the server-mode guest stays cut off" "its frames came back after ${RECOVERY} s"
elif frames_alive h1; then
    ok "control: the server-mode guest stays cut off (no frame in 10 s, the frame clock running): $(host_use h1; vsctl get Interface "${GUEST_PORT[vm-server]}" error)"
else
    fail "control: the frame clock runs" "$(tail -n 3 "$T/h1/frames.err")"
fi
check "control: the client-mode guest comes back all the same (OVS reconnects to QEMU's socket)" \
    frames_back vm-client "$STARTED" 10
hrun h1 --dry-run sockets-clean
check "sockets-clean --dry-run with that switch running: the stale socket is not in its /proc/PID/net/unix, it would go; nothing is removed" \
    test "$(jqo '.result.removed | join(" ")') $(test -S "$SERVER_SOCKET" && echo kept)" = "${GUEST_PORT[vm-server]} kept"

# ---- the series, as the drop-in starts the switch ----

declare -a TIMES_SERVER=() TIMES_CLIENT=()
back_server=0 back_client=0 cleaned=0
for ((r = 1; r <= ROUNDS; r++)); do
    crash clean
    if [[ $(jq -r '.result.removed | join(" ")' <<<"$CLEANED") == "${GUEST_PORT[vm-server]}" ]]; then
        cleaned=$((cleaned + 1))
    else
        echo "# round $r: sockets-clean answered $(jq -c . <<<"$CLEANED")"
    fi
    if frames_back vm-server "$STARTED" 30; then
        back_server=$((back_server + 1)) TIMES_SERVER+=("$RECOVERY")
    fi
    if frames_back vm-client "$STARTED" 30; then
        back_client=$((back_client + 1)) TIMES_CLIENT+=("$RECOVERY")
    fi
done
check "sockets-clean removed exactly the server-mode port's stale socket before $cleaned of $ROUNDS starts" \
    test "$cleaned" = "$ROUNDS"
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "median %.2f s, worst %.2f s", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR] }'; }
check "server mode: the guest's traffic came back after $back_server of $ROUNDS kill -9 restarts ($(stats "${TIMES_SERVER[@]}") after the new switch started)" \
    test "$back_server" = "$ROUNDS"
check "client mode: the guest's traffic came back after $back_client of $ROUNDS kill -9 restarts ($(stats "${TIMES_CLIENT[@]}"))" \
    test "$back_client" = "$ROUNDS"
check "both guests ran throughout" test "$(domain_state h1 vm-server) $(domain_state h1 vm-client)" = "running running"
echo "# recovery after each restart, server mode: ${TIMES_SERVER[*]}"
echo "# recovery after each restart, client mode: ${TIMES_CLIENT[*]}"

for g in vm-server vm-client; do lvsh h1 destroy "$g" >/dev/null; done
hrun h1 unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 1)\"}}"
hrun h1 unplug <<<"{\"vm\": {\"uuid\": \"$(uuid_for 2)\"}}"
check "the guests gone: no port left" test "$(host_use h1; vsctl list-ports "$HOST_BRIDGE" | wc -l)" = 0
done_testing
