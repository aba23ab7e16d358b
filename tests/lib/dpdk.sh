# A real userspace Open vSwitch with DPDK and DPDK "stand-in VMs", for the
# integration tests that need a data plane. Source it after harness.sh:
#
#   . "$(dirname "$0")/../lib/harness.sh"
#   . "$(dirname "$0")/../lib/dpdk.sh"
#   vswitchd_available || { skip "..." "$DPDK_UNAVAILABLE"; done_testing; exit; }
#   ovsdb_start "$T/ovs" && add_bridge br0 && vswitchd_start "$T/vs"
#   testpmd_start vm1 "$T/sock/csdpdk-1" server
#   link_up csdpdk-1 || fail ...
#
# Everything lives under $T: no hugepages (--no-huge), no PCI, DPDK's runtime
# directory under $T (RUNTIME_DIRECTORY), and ovs-vswitchd runs in a network
# namespace of its own (unshare -n; VSWITCHD_NETNS=0 to do without), so that
# the tap devices of the netdev bridges' internal ports (br0, ovs-netdev),
# which OVS makes persistent and which would outlive a kill -9 in the host's
# namespace and clash with a concurrent run, vanish with it. Unix sockets
# (OVSDB, unixctl, BRIDGE.mgmt, vhost-user) are paths: they work across.
# Every daemon is stopped by PID, also by harness.sh's cleanup at exit.
# Every wait is bounded (DPDK_WAIT seconds, link_up's TIMEOUT).
# See dpdk-NOTES.md for the measurements behind the choices.

VSWITCHD_BIN=${VSWITCHD_BIN:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
TESTPMD_BIN=${TESTPMD_BIN:-dpdk-testpmd}
DPDK_WAIT=${DPDK_WAIT:-30}          # bound on each wait for a daemon, seconds
DPDK_ID=${T##*.}                    # unique per test run: DPDK --file-prefix
DPDK_UNAVAILABLE=                   # why vswitchd_available said no
VSWITCHD_DIR= VSWITCHD_PID= VSWITCHD_LOG= VSWITCHD_CTL=
VSWITCHD_LOG_START=0                # size of the log when the daemon started
VSWITCHD_T0=                        # when it was started, µs since the epoch
VSWITCHD_NETNS=${VSWITCHD_NETNS:-1} # 0: run in the host's network namespace
                                    # (its bridges' tap devices appear there)
declare -A TESTPMD_PID=() TESTPMD_FD=() TESTPMD_DIR=() TESTPMD_ARGS=()

# now_us: the time in microseconds (no fork).
now_us() {
    echo "${EPOCHREALTIME/./}"
}

# _forget_pid PID: drops PID from daemon_pids (it has been stopped and
# reaped; the cleanup at exit must not signal a recycled PID).
_forget_pid() {
    local keep=() p
    for p in "${daemon_pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
    daemon_pids=("${keep[@]}")
}

# _stop_pid PID SIGNAL: sends SIGNAL (after CONT), waits up to DPDK_WAIT s
# for the process to be gone, then KILLs it. Reaps it if it is our child.
# Gone means all its threads: a killed multi-threaded daemon is a zombie
# as soon as its first thread exits, while the others still hold its
# sockets (systemd, too, waits for them before it starts the next one).
_stop_pid() {
    local pid=$1 sig=${2:-TERM} i
    kill -CONT "$pid" 2>/dev/null
    kill "-$sig" "$pid" 2>/dev/null
    for ((i = 0; i < DPDK_WAIT * 20; i++)); do
        alive "$pid" || break
        sleep 0.05
    done
    if alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.05; done
    fi
    for ((i = 0; i < 100; i++)); do
        (($(ls "/proc/$pid/task" 2>/dev/null | wc -l) <= 1)) && break
        sleep 0.02
    done
    wait "$pid" 2>/dev/null
    _forget_pid "$pid"
    ! alive "$pid"
}

# vswitchd_available: true if the DPDK build of ovs-vswitchd and the stand-in
# VM can run here; otherwise false with the precise reason in
# DPDK_UNAVAILABLE (for skip).
vswitchd_available() {
    local c avail
    DPDK_UNAVAILABLE=
    if [[ ! -x $VSWITCHD_BIN ]]; then
        DPDK_UNAVAILABLE="no $VSWITCHD_BIN (package openvswitch-switch-dpdk)"
    elif ! "$VSWITCHD_BIN" --version 2>/dev/null | grep -q '^DPDK '; then
        DPDK_UNAVAILABLE="$VSWITCHD_BIN --version names no DPDK: not the DPDK build"
    elif ! command -v "$TESTPMD_BIN" >/dev/null; then
        DPDK_UNAVAILABLE="no $TESTPMD_BIN (package dpdk)"
    elif ((EUID != 0)); then
        DPDK_UNAVAILABLE="not root: ovs-vswitchd's netdev bridges need tap devices (CAP_NET_ADMIN)"
    elif [[ ! -c /dev/net/tun ]]; then
        DPDK_UNAVAILABLE="no /dev/net/tun for the netdev bridges' internal ports"
    elif ((VSWITCHD_NETNS)) && ! unshare -n true 2>/dev/null; then
        DPDK_UNAVAILABLE="cannot create a network namespace (unshare -n) for ovs-vswitchd, whose netdev bridges make persistent tap devices; VSWITCHD_NETNS=0 runs it in the host's namespace"
    elif [[ $(uname -m) == x86_64 ]] && ! grep -qw sse4_2 /proc/cpuinfo; then
        DPDK_UNAVAILABLE="the CPU lacks SSE4.2, which Debian's DPDK build requires"
    else
        for c in ovs-ofctl ovs-appctl ovs-vsctl stdbuf jq; do
            command -v "$c" >/dev/null || { DPDK_UNAVAILABLE="no $c"; break; }
        done
    fi
    if [[ -z $DPDK_UNAVAILABLE ]]; then
        # -m 512 for ovs-vswitchd, about 220 MB resident per testpmd.
        avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
        ((avail >= 1500)) || DPDK_UNAVAILABLE="only ${avail} MB of memory available, 1500 MB needed"
    fi
    [[ -z $DPDK_UNAVAILABLE ]]
}

# vswitchd_start DIR: configures DPDK in the Open_vSwitch row of $DB
# (userspace, no hugepages: see dpdk-NOTES.md) and starts ovs-vswitchd-dpdk
# with its pidfile, log (DIR/vswitchd.log), unixctl socket (OVS's own name,
# DIR/ovs-vswitchd-dpdk.PID.ctl, where csdpdk looks for it beside the pidfile)
# (VSWITCHD_TAG, if set, goes into DPDK's --file-prefix: one per switch)
# and run directory (OVS_RUNDIR, where server-mode vhost-user sockets and
# BRIDGE.mgmt go) in DIR. Returns once the daemon is ready (see
# vswitchd_run). Sets VSWITCHD_DIR, VSWITCHD_PID, VSWITCHD_LOG, VSWITCHD_CTL.
vswitchd_start() {
    VSWITCHD_DIR=$1
    VSWITCHD_LOG=$VSWITCHD_DIR/vswitchd.log
    mkdir -p "$VSWITCHD_DIR/dpdk" || return 1
    # --legacy-mem: else OVS 3.1 adds --in-memory, refused with --no-huge.
    # -m 512 with per-port-memory: less, and a port may get no mbufs (often
    # only after a restart) and silently drop out of the switch.
    # VSWITCHD_MEMORY replaces these memory options (hugepages: the data
    # plane's benchmark).
    # pmd-maxsleep: else the PMD thread spins a whole core.
    # ovs_version as ovs-ctl records it at start.
    local mem=${VSWITCHD_MEMORY:-"--no-huge --legacy-mem -m 512 --no-pci --no-telemetry --no-shconf"}
    vsctl set Open_vSwitch . "ovs_version=\"$("$VSWITCHD_BIN" --version | awk 'NR == 1 { print $NF }')\"" \
        other_config:dpdk-init=true \
        "other_config:dpdk-extra=\"$mem --file-prefix=csdpdk-vs-$DPDK_ID${VSWITCHD_TAG:+-$VSWITCHD_TAG}\"" \
        other_config:per-port-memory=true other_config:dpdk-lcore-mask=0x1 \
        other_config:pmd-cpu-mask=0x2 other_config:pmd-maxsleep=10000 || return 1
    vswitchd_run
}

# vswitchd_run: starts ovs-vswitchd-dpdk on the configuration of
# vswitchd_start (removing stale sockets first, unless VSWITCHD_CLEAN_SOCKETS=0:
# then, as on a host without csdpdk's drop-in, a socket left by a switch
# killed with -9 makes its port fail) and waits, at most DPDK_WAIT
# seconds each, until (1) the detaching parent returns and the daemon lives,
# (2) Open_vSwitch dpdk_initialized=true (when other_config:dpdk-init=true)
# and (3) vswitchd_sync returns:
# this daemon has applied the whole database (bridges, ports). (2) alone
# could be left over from a killed daemon; (3) proves DPDK is up too since
# dpdk-init=true makes a failed EAL init fatal. Appends the PID to
# daemon_pids. On failure, the last lines of the log are on stderr.
vswitchd_run() {
    local ns=() st
    VSWITCHD_PID=
    ((${VSWITCHD_CLEAN_SOCKETS:-1})) && vswitchd_clean_sockets
    ((VSWITCHD_NETNS)) && ns=(unshare -n)
    VSWITCHD_LOG_START=$(stat -c %s "$VSWITCHD_LOG" 2>/dev/null || echo 0)
    VSWITCHD_T0=$(now_us)
    (
        _close_fifos
        OVS_RUNDIR=$VSWITCHD_DIR OVS_LOGDIR=$VSWITCHD_DIR OVS_DBDIR=$VSWITCHD_DIR \
            OVS_SYSCONFDIR=$VSWITCHD_DIR RUNTIME_DIRECTORY=$VSWITCHD_DIR/dpdk \
            exec timeout "$DPDK_WAIT" "${ns[@]}" "$VSWITCHD_BIN" "$DB" --detach --no-chdir \
            --pidfile="$VSWITCHD_DIR/ovs-vswitchd.pid" --log-file="$VSWITCHD_LOG" \
            -vconsole:err ${VSWITCHD_EXTRA_ARGS-}
    ) </dev/null >>"$VSWITCHD_DIR/stderr.log" 2>&1
    st=$?
    # The pidfile is written by the daemon before the parent returns, even
    # if it then hangs: register it whatever happened.
    VSWITCHD_PID=$(cat "$VSWITCHD_DIR/ovs-vswitchd.pid" 2>/dev/null)
    VSWITCHD_CTL=$VSWITCHD_DIR/$(basename "$VSWITCHD_BIN").$VSWITCHD_PID.ctl
    [[ -n $VSWITCHD_PID ]] && daemon_pids+=("$VSWITCHD_PID")
    if ((st != 0)) || [[ -z $VSWITCHD_PID ]] || ! alive "$VSWITCHD_PID"; then
        _vswitchd_failed "ovs-vswitchd did not start (exit $st)"
        return 1
    fi
    if [[ $(vsctl --if-exists get Open_vSwitch . other_config:dpdk-init | tr -d '"') == true ]]; then
        ovs-vsctl --db="$DB" --no-wait --timeout="$DPDK_WAIT" \
            wait-until Open_vSwitch . dpdk_initialized=true >/dev/null 2>&1 ||
            { _vswitchd_failed "dpdk_initialized did not become true"; return 1; }
    fi
    vswitchd_sync ||
        { _vswitchd_failed "ovs-vswitchd did not apply the database (vswitchd_sync)"; return 1; }
    alive "$VSWITCHD_PID" || { _vswitchd_failed "ovs-vswitchd died"; return 1; }
}

# iface_errors: prints "NAME,ERROR" for each Interface whose error column is
# set (e.g. after a kill -9 without vswitchd_clean_sockets: "could not open
# network device csdpdk-N (Unknown error -1)", ofport -1). A daemon can be
# ready (vswitchd_run) with some ports failed: check this too.
iface_errors() {
    vsctl --format=csv --data=bare --no-headings --columns=name,error list Interface |
        awk -F, '$2 != ""'
}

# vswitchd_sync [TIMEOUT_S]: true once ovs-vswitchd has applied the database
# as it is now (what ovs-vsctl does without --no-wait after a change): bumps
# Open_vSwitch next_cfg and waits until cur_cfg reaches it (default
# DPDK_WAIT s). Only a live daemon connected to $DB sets cur_cfg.
vswitchd_sync() {
    local n
    n=$(vsctl get Open_vSwitch . next_cfg) || return 1
    n=$((n + 1))
    vsctl set Open_vSwitch . next_cfg=$n || return 1
    ovs-vsctl --db="$DB" --no-wait --timeout="${1:-$DPDK_WAIT}" \
        wait-until Open_vSwitch . "cur_cfg>=$n" >/dev/null 2>&1
}

_vswitchd_failed() {
    {
        echo "$1"
        tail -n 15 "$VSWITCHD_LOG" 2>/dev/null
        tail -n 5 "$VSWITCHD_DIR/stderr.log" 2>/dev/null
    } >&2
}

# vswitchd_stop [TERM|KILL]: stops the daemon with that signal (default
# TERM) and waits, at most DPDK_WAIT s, until it is gone (then KILL).
vswitchd_stop() {
    [[ -n $VSWITCHD_PID ]] || return 0
    _stop_pid "$VSWITCHD_PID" "${1:-TERM}" || return 1
    VSWITCHD_PID=
}

# vswitchd_restart [TERM|KILL]: vswitchd_stop with that signal, then
# vswitchd_run (which first removes stale sockets). VSWITCHD_T0 is when the
# new daemon was started.
vswitchd_restart() {
    vswitchd_stop "${1:-TERM}" || return 1
    vswitchd_run
}

# vswitchd_clean_sockets: removes the server-mode (dpdkvhostuser) sockets left
# by a daemon that could not remove them (kill -9): DPDK's vhost library
# does not unlink a stale socket and the new daemon's bind fails (Address
# already in use). Only while no ovs-vswitchd of ours runs. OVS's own
# sockets (unixctl, BRIDGE.mgmt) are unlinked by OVS itself.
vswitchd_clean_sockets() {
    local name path
    [[ -n $VSWITCHD_PID ]] && alive "$VSWITCHD_PID" && return 1
    for name in $(vsctl --bare --columns=name find Interface type=dpdkvhostuser); do
        path=$(vhost_socket "$name") || continue
        [[ -S $path ]] && rm -f "$path"
    done
    return 0
}

# vhost_socket PORT: prints the vhost-user socket path of PORT: for
# dpdkvhostuserclient its options:vhost-server-path; for dpdkvhostuser
# (ovs-vswitchd owns the socket) OVS_RUNDIR[/other_config:vhost-sock-dir]/PORT.
vhost_socket() {
    local type dir
    type=$(vsctl get Interface "$1" type 2>/dev/null) || return 1
    case $type in
    dpdkvhostuserclient)
        vsctl get Interface "$1" options:vhost-server-path 2>/dev/null | tr -d '"'
        ;;
    dpdkvhostuser)
        dir=$(vsctl --if-exists get Open_vSwitch . other_config:vhost-sock-dir | tr -d '"')
        echo "$VSWITCHD_DIR${dir:+/$dir}/$1"
        ;;
    *) return 1 ;;
    esac
}

# vhost_log PORT: prints the "vHost Device '<socket>' ..." lines of PORT
# that the running daemon logged since it started.
vhost_log() {
    local path
    path=$(vhost_socket "$1") || return 1
    tail -c +$((VSWITCHD_LOG_START + 1)) "$VSWITCHD_LOG" 2>/dev/null | grep -F "vHost Device '$path'"
}

# vhost_added PORT: true if the running daemon's last vHost event for PORT's
# socket is "has been added" (the log criterion; link_up uses traffic).
vhost_added() {
    vhost_log "$1" | tail -n 1 | grep -q 'has been added'
}

# vhost_added_after PORT: prints the seconds (3 decimals) from the running
# daemon's first log line to its last "vHost Device '<PORT's socket>' has
# been added" line, i.e. how long the reconnection took by OVS's own clock.
vhost_added_after() {
    local first added
    first=$(tail -c +$((VSWITCHD_LOG_START + 1)) "$VSWITCHD_LOG" | head -n 1 | cut -d'|' -f1)
    added=$(vhost_log "$1" | grep 'has been added' | tail -n 1 | cut -d'|' -f1)
    [[ -n $first && -n $added ]] || return 1
    first=$(date -d "$first" +%s%3N) && added=$(date -d "$added" +%s%3N) || return 1
    printf '%d.%03d\n' $(((added - first) / 1000)) $(((added - first) % 1000))
}

# Probe frame: broadcast, locally administered source, EtherType 0x88b5
# (IEEE local experimental), padded to 60 bytes.
DPDK_PROBE=ffffffffffff02cdcdcdcd0188b5$(printf '63736470646b2d70726f6265%.0s' 1 2 3)$(printf '00%.0s' $(seq 10))

# port_stats PORT COUNTER: the switch's live count (ovs-ofctl dump-ports;
# the Interface statistics column lags by up to 5 s) of COUNTER, "rx" or
# "tx", for PORT. False if the switch has none: OVS 3.1.0 here reads no
# statistics for a connected dpdkvhostuser (server-mode) port (dump-ports
# shows "?", dpctl/show -s "could not retrieve stats (Protocol error)").
port_stats() {
    local br
    br=$(vsctl port-to-br "$1" 2>/dev/null) || return 1
    ovs-ofctl --timeout=2 dump-ports "unix:$VSWITCHD_DIR/$br.mgmt" "$1" 2>/dev/null |
        sed -n "s/.*$2 pkts=\([0-9]*\),.*/\1/p" | grep .
}

# port_vm PORT: prints the name of the stand-in VM (testpmd) attached to
# PORT's vhost-user socket, if any.
port_vm() {
    local sock name args
    sock=$(vhost_socket "$1") || return 1
    for name in "${!TESTPMD_PID[@]}"; do
        read -ra args <<<"${TESTPMD_ARGS[$name]}"
        [[ ${args[0]} == "$sock" ]] && { echo "$name"; return 0; }
    done
    return 1
}

# packet_out PORT: the switch sends one probe frame out of PORT (OpenFlow
# packet-out; no flow table involved).
packet_out() {
    local br
    br=$(vsctl port-to-br "$1" 2>/dev/null) || return 1
    ovs-ofctl --timeout=2 packet-out "unix:$VSWITCHD_DIR/$br.mgmt" \
        "in_port=controller packet=$DPDK_PROBE actions=output:$1" >/dev/null 2>&1
}

# link_probe PORT: one probe of the data path switch -> VM of PORT: the
# switch sends a frame out of PORT, and it must arrive
#  - with a stand-in VM on PORT's socket (port_vm): in that VM (the RX
#    counter of its port grows; testpmd_rx polls and empties its ring);
#  - else: in the guest's receive ring as the switch counts it: OVS counts a
#    vhost-user packet transmitted only once the guest ring took it (vhost
#    device running, guest buffers posted), else dropped (dpdkvhostuserclient
#    only, see port_stats).
link_probe() {
    local vm n0 n1
    if vm=$(port_vm "$1"); then
        n0=$(testpmd_rx "$vm") || return 1
        packet_out "$1" || return 1
        n1=$(testpmd_rx "$vm") || return 1
    else
        n0=$(port_stats "$1" tx) || return 1
        packet_out "$1" || return 1
        n1=$(port_stats "$1" tx) || return 1
    fi
    ((n1 > n0))
}

# iface_status PORT [KEY]: a key of the port's Interface.status, unquoted
# ("status" by default: connected/disconnected); empty when absent.
iface_status() {
    vsctl --if-exists get Interface "$1" "status:${2:-status}" | tr -d '"'
}

# link_up PORT [TIMEOUT_S]: true once the link of PORT is confirmed up by
# traffic (link_probe, every 0.1 s), false after TIMEOUT_S (default 10)
# seconds. Not Interface.status: OVS 3.1 sometimes leaves it at
# "disconnected" on a working link after a restart. Prints nothing.
link_up() {
    local port=$1 deadline=$(($(now_us) + ${2:-10} * 1000000))
    while :; do
        link_probe "$port" && return 0
        (($(now_us) < deadline)) || return 1
        sleep 0.1
    done
}

# ---- the stand-in VM ----

# testpmd_start NAME SOCKET [server]: starts dpdk-testpmd with one virtio-user
# port on SOCKET, the guest side of a vhost-user port; "server" means testpmd
# owns the socket (server=1, for dpdkvhostuserclient ports, as QEMU in
# libvirt's server mode), else it connects to ovs-vswitchd's socket.
# testpmd runs in interactive mode (-i) with its commands read from a FIFO
# that this shell keeps open (TESTPMD_FD[NAME]), forwarding never started:
# then it polls nothing and uses no CPU (without -i it starts forwarding at
# once and its forwarding lcore spins a whole core), and it quits on EOF,
# i.e. when this shell is gone (see _close_fifos).
# Its log is $T/testpmd-NAME/log. Returns once testpmd shows its prompt
# (ports started), at most DPDK_WAIT s; false if it died or failed to
# create its port.
testpmd_start() {
    local name=$1 sock=$2 mode=${3:-} dir=$T/testpmd-$1 fd pid i
    [[ -z ${TESTPMD_PID[$name]:-} ]] || testpmd_stop "$name"
    mkdir -p "$dir/dpdk" || return 1
    rm -f "$dir/cmd"
    mkfifo "$dir/cmd" || return 1
    # Read-write: never blocks, and testpmd sees no EOF while it is open.
    exec {fd}<>"$dir/cmd"
    TESTPMD_ARGS[$name]="$sock $mode"
    # stdbuf -oL: its replies reach the log at once. --lcores: two lcores
    # (testpmd wants a forwarding one), both free to run on either CPU.
    # --total-num-mbufs: the default pool (155456 mbufs) does not fit in
    # -m 128. --disable-link-check: do not wait (up to 9 s) for the link at
    # start; link_up tells.
    (
        _close_fifos
        exec {fd}>&-
        RUNTIME_DIRECTORY=$dir/dpdk exec stdbuf -oL "$TESTPMD_BIN" --lcores='0@(0-1),1@(0-1)' \
            --no-huge -m 128 --no-pci --no-telemetry --no-shconf \
            --file-prefix="csdpdk-tp-$name-$DPDK_ID" \
            --vdev="net_virtio_user0,path=$sock,queues=1${mode:+,server=1}" \
            -- -i --total-num-mbufs=2048 --forward-mode=rxonly --disable-link-check
    ) <"$dir/cmd" >>"$dir/log" 2>&1 &
    pid=$!
    TESTPMD_PID[$name]=$pid TESTPMD_FD[$name]=$fd TESTPMD_DIR[$name]=$dir
    daemon_pids+=("$pid")
    for ((i = 0; i < DPDK_WAIT * 10; i++)); do
        grep -q '^testpmd> ' "$dir/log" 2>/dev/null && break
        alive "$pid" || break
        sleep 0.1
    done
    if ! alive "$pid" || ! grep -q '^testpmd> ' "$dir/log" || ! grep -q '^Port 0: ' "$dir/log"; then
        echo "testpmd $name did not start:" >&2
        tail -n 15 "$dir/log" >&2
        testpmd_stop "$name"
        return 1
    fi
}

# _close_fifos: closes (in a subshell about to exec a daemon) this shell's
# ends of the testpmd FIFOs, so that no daemon keeps another's FIFO open:
# each testpmd then sees EOF, and quits, as soon as this shell is gone, even
# if it was killed before its cleanup could run.
_close_fifos() {
    local fd
    for fd in "${TESTPMD_FD[@]}"; do exec {fd}>&-; done
}

# testpmd_stop NAME: stops testpmd NAME (TERM, at most DPDK_WAIT s, then
# KILL) and closes its FIFO. Its log stays.
testpmd_stop() {
    local name=$1 pid=${TESTPMD_PID[$1]:-} fd=${TESTPMD_FD[$1]:-}
    [[ -n $pid ]] && _stop_pid "$pid" TERM
    [[ -n $fd ]] && exec {fd}>&-
    unset "TESTPMD_PID[$name]" "TESTPMD_FD[$name]"
    [[ -z $pid ]] || ! alive "$pid"
}

# testpmd_restart NAME: stops testpmd NAME and starts it again on the same
# socket and mode (a VM restart, as far as vhost-user can tell).
testpmd_restart() {
    local args
    read -ra args <<<"${TESTPMD_ARGS[$1]}"
    testpmd_stop "$1" || return 1
    testpmd_start "$1" "${args[@]}"
}

# testpmd_cmd NAME COMMAND...: sends one command line to testpmd NAME.
testpmd_cmd() {
    local fd=${TESTPMD_FD[$1]:-}
    [[ -n $fd ]] && alive "${TESTPMD_PID[$1]}" || return 1
    shift
    printf '%s\n' "$*" >&"$fd"
}

# _testpmd_reply NAME OFFSET SED_SCRIPT: waits (at most DPDK_WAIT s) for the
# first line of testpmd NAME's log after byte OFFSET that SED_SCRIPT prints.
_testpmd_reply() {
    local log=${TESTPMD_DIR[$1]}/log i v
    for ((i = 0; i < DPDK_WAIT * 20; i++)); do
        v=$(tail -c +$(($2 + 1)) "$log" | sed -n "$3" | head -n 1)
        [[ -n $v ]] && { echo "$v"; return 0; }
        alive "${TESTPMD_PID[$1]:-0}" || return 1
        sleep 0.05
    done
    return 1
}

# testpmd_rx NAME: empties testpmd NAME's receive ring, which nothing else
# polls ('start' flushes the receive queues first, then 'stop': a
# forwarding core spins for the few milliseconds between), and prints how
# many packets its port has received since testpmd started ("RX-packets" of
# 'show port stats 0').
testpmd_rx() {
    _testpmd_run_count "$1" 's/^ *RX-packets: *\([0-9]*\) .*RX-missed.*/\1/p' start
}

# testpmd_tx NAME: makes testpmd NAME send one burst of 32 packets (UDP,
# from its port's MAC: 'start tx_first', then 'stop') and prints how many
# packets its port has sent since testpmd started ("TX-packets" of 'show
# port stats 0'). What another stand-in VM on the bridge receives then
# (testpmd_rx) proves the data path VM -> switch -> VM.
testpmd_tx() {
    _testpmd_run_count "$1" 's/^ *TX-packets: *\([0-9]*\) .*TX-errors.*/\1/p' start tx_first
}

# _testpmd_run_count NAME SED START...: 'START...' then 'stop' in testpmd
# NAME, then prints what SED picks out of its reply to 'show port stats 0'.
_testpmd_run_count() {
    local name=$1 sed=$2 start
    shift 2
    testpmd_cmd "$name" "$@" || return 1
    testpmd_cmd "$name" stop || return 1
    start=$(stat -c %s "${TESTPMD_DIR[$name]}/log") || return 1
    testpmd_cmd "$name" show port stats 0 || return 1
    _testpmd_reply "$name" "$start" "$sed"
}

# testpmd_link NAME: prints testpmd NAME's view of its port's link, "up" or
# "down" ('show port info 0'), i.e. whether its vhost-user connection is up.
testpmd_link() {
    local start
    start=$(stat -c %s "${TESTPMD_DIR[$1]}/log") || return 1
    testpmd_cmd "$1" show port info 0 || return 1
    _testpmd_reply "$1" "$start" 's/^Link status: *\([a-z]*\).*/\1/p'
}

# rss_kb PID: resident memory in KiB. cpu_ticks PID: user+system clock ticks
# used so far (all threads; 100 per second of CPU).
rss_kb() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}
