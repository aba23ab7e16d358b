# Several "hosts" on this machine, for live migration: each one a private
# ovsdb-server and DPDK ovs-vswitchd (tests/lib/dpdk.sh) in $T/NAME/ovs, a
# netdev bridge cloudbr0, a vhost-user socket directory $T/NAME/ovs/vhost
# (where OVS puts its server-mode sockets: other_config:vhost-sock-dir),
# an agent.properties naming it, a private libvirtd (tests/lib/libvirtd.sh)
# in $T/NAME/lv, and a frame clock on the bridge's internal port.
#
#   . harness.sh; . dpdk.sh; . libvirtd.sh; . hosts.sh
#   host_up h1 && host_up h2
#   host_use h2            # dpdk.sh's functions (vsctl, iface_status, ...) act on h2
#   hrun h1 status <<<'{}' # csdpdk with h1's --ovsdb, --agent-properties, --libvirt
#
# dpdk.sh keeps one switch in global variables (DB, VSWITCHD_PID, ...);
# host_use saves them for the current host and loads another's.

HOST_VARS_LIST=(DB OVSDB_DIR VSWITCHD_DIR VSWITCHD_PID VSWITCHD_LOG VSWITCHD_CTL VSWITCHD_LOG_START VSWITCHD_T0)
declare -gA HOST_VARS=() FRAMES_PID=()
HOST_CURRENT=
HOST_BRIDGE=${HOST_BRIDGE:-cloudbr0}
FRAMES_PY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/frames.py

# host_use NAME: dpdk.sh's state becomes host NAME's (the current host's is
# kept first).
host_use() {
    local v
    if [[ -n $HOST_CURRENT ]]; then
        for v in "${HOST_VARS_LIST[@]}"; do HOST_VARS[$HOST_CURRENT:$v]=${!v}; done
    fi
    HOST_CURRENT=$1
    for v in "${HOST_VARS_LIST[@]}"; do printf -v "$v" '%s' "${HOST_VARS[$1:$v]:-}"; done
}

# host_args NAME: csdpdk's options for host NAME, one per line.
host_args() {
    printf '%s\n' --ovsdb "unix:$T/$1/ovs/db.sock" --agent-properties "$T/$1/agent.properties" \
        --libvirt "${LIBVIRT_URIS[$1]}" --qemu-conf "$T/$1/lv/etc/qemu.conf"
}

# hrun NAME [CSDPDK ARGS...]: harness.sh's run, on host NAME.
hrun() {
    local name=$1 args
    shift
    mapfile -t args < <(host_args "$name")
    run "${args[@]}" "$@"
}

# host_sockdir NAME: the host's vhost-user socket directory.
host_sockdir() {
    echo "$T/$1/ovs/vhost"
}

# host_up NAME: starts the whole host (see above) and makes it current.
# Fails, with what went wrong on stderr, if a part does not start.
host_up() {
    local name=$1 dir=$T/$1
    host_use "$name"
    ovsdb_start "$dir/ovs" >/dev/null || { echo "$name: ovsdb-server did not start" >&2; return 1; }
    add_bridge "$HOST_BRIDGE" && vsctl set Open_vSwitch . other_config:vhost-sock-dir=vhost || return 1
    mkdir -p "$dir/ovs/vhost" || return 1
    agent_properties "$dir/agent.properties" "$dir/ovs/vhost"
    VSWITCHD_TAG=$name vswitchd_start "$dir/ovs" || { echo "$name: ovs-vswitchd did not start" >&2; return 1; }
    # The guests' serial consoles go to /var/log/libvirt/qemu, the host's own.
    mkdir -p "$dir/lv/log/qemu" || return 1
    local binds=()
    if [[ ${HOST_HOOK:-0} == 1 ]]; then
        host_hook_install "$name" || return 1
        binds=("/etc/csdpdk=$dir/csdpdk-etc")
    fi
    libvirtd_start "$name" "$dir/lv" "${binds[@]}" >/dev/null || { echo "$name: libvirtd did not start" >&2; return 1; }
    frames_start "$name"
}

# host_hook_install NAME: csdpdk's libvirt hook as the package installs it,
# /etc/libvirt/hooks/qemu.d/csdpdk (a link to the binary), in host NAME's
# /etc/libvirt, with its settings in NAME's /etc/csdpdk (host_up binds it
# there): the host's OVSDB, agent.properties, and a log in its
# /var/log/libvirt. libvirtd reads a new hook directory at its start: call
# it before, host_up does (HOST_HOOK=1).
HOOK_BIN=${HOOK_BIN:-$(dirname "$CSDPDK")/csdpdk-libvirt-hook}
host_hook_install() {
    local dir=$T/$1
    mkdir -p "$dir/lv/etc/hooks/qemu.d" "$dir/csdpdk-etc" || return 1
    ln -sfn "$(realpath "$HOOK_BIN")" "$dir/lv/etc/hooks/qemu.d/csdpdk" || return 1
    printf '%s\n' "# csdpdk's libvirt hook on test host $1" "ovsdb = unix:$dir/ovs/db.sock" \
        "agent-properties = $dir/agent.properties" "timeout = ${HOOK_TIMEOUT:-10}" \
        >"$dir/csdpdk-etc/libvirt-hook.conf"
}

# host_hook_log NAME: the hook's log on host NAME.
host_hook_log() {
    echo "$T/$1/lv/log/csdpdk-hook.log"
}

# host_restart_switch NAME [TERM|KILL]: stops host NAME's ovs-vswitchd with
# that signal and starts a new one the way the host's init system would,
# after removing the stale server-mode sockets (dpdk.sh's vswitchd_run);
# the frame clock follows it into the new daemon's network namespace.
host_restart_switch() {
    host_use "$1"
    VSWITCHD_TAG=$1 vswitchd_restart "${2:-TERM}" || return 1
    frames_start "$1"
}

# ---- the frame clock ----

# frames_start NAME: (re)starts tests/lib/frames.py on the bridge's internal
# port of host NAME, in its ovs-vswitchd's network namespace (the port is
# brought up there, so that the switch's floods reach it and the kernel
# answers the guests' echoes to ff02::1). Lines go to $T/NAME/frames.log.
frames_start() {
    local name=$1 pid ns i ready
    frames_stop "$name"
    pid=${HOST_VARS[$name:VSWITCHD_PID]:-}
    [[ $HOST_CURRENT == "$name" ]] && pid=$VSWITCHD_PID
    ns=/proc/$pid/ns/net
    [[ -n $pid && -e $ns ]] || { echo "frames_start: no ovs-vswitchd for $name" >&2; return 1; }
    for ((i = 0; i < 50; i++)); do
        nsenter --net="$ns" ip link set "$HOST_BRIDGE" up 2>/dev/null && break
        sleep 0.1
    done
    ((i < 50)) || { echo "frames_start: $HOST_BRIDGE of $name does not come up" >&2; return 1; }
    ready=$(grep -c 'frames.py: ready' "$T/$name/frames.err" 2>/dev/null)
    nsenter --net="$ns" python3 -u "$FRAMES_PY" "$HOST_BRIDGE" >>"$T/$name/frames.log" 2>>"$T/$name/frames.err" &
    FRAMES_PID[$name]=$!
    daemon_pids+=("$!")
    for ((i = 0; i < 100; i++)); do
        (($(grep -c 'frames.py: ready' "$T/$name/frames.err" 2>/dev/null) > ${ready:-0})) && return 0
        alive "${FRAMES_PID[$name]}" || break
        sleep 0.05
    done
    echo "frames_start: frames.py is not ready: $(tail -n 3 "$T/$name/frames.err")" >&2
    return 1
}

# frames_alive NAME: host NAME's frame clock still runs.
frames_alive() {
    [[ -n ${FRAMES_PID[$1]:-} ]] && alive "${FRAMES_PID[$1]}"
}

frames_stop() {
    local pid=${FRAMES_PID[$1]:-}
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    _forget_pid "$pid"
    unset "FRAMES_PID[$1]"
}

# frames_times NAME MAC [FROM [TO]]: the times (one per line) at which host
# NAME's switch flooded a frame from MAC, between FROM and TO (seconds
# since the epoch; default: all).
frames_times() {
    awk -v mac="${2,,}" -v from="${3:-0}" -v to="${4:-1e12}" \
        '$2 == mac && $1 + 0 >= from + 0 && $1 + 0 <= to + 0 { print $1 }' "$T/$1/frames.log" 2>/dev/null
}

# frames_window NAME MAC FROM TO: how many, and the longest gap between two
# of them (seconds): "37 0.12".
frames_window() {
    frames_times "$@" | awk 'NR > 1 && $1 - last > g { g = $1 - last } { last = $1 } END { printf "%d %.2f\n", NR, g }'
}

# ports_on NAME: host NAME's ports on its bridge, by number, on one line.
ports_on() {
    host_use "$1"
    vsctl list-ports "$HOST_BRIDGE" 2>/dev/null | sort -V | tr '\n' ' '
}

# frames_count NAME MAC [FROM [TO]]: how many.
frames_count() {
    frames_times "$@" | wc -l
}

# frames_wait NAME MAC N FROM TIMEOUT: until host NAME has counted N frames
# from MAC since FROM, at most TIMEOUT seconds.
frames_wait() {
    local end=$((SECONDS + $5))
    while ((SECONDS <= end)); do
        (($(frames_count "$1" "$2" "$4") >= $3)) && return 0
        sleep 0.1
    done
    return 1
}

# ---- can hosts run here ----

# hosts_ready PAGES: true when hosts of this library, with the test guest,
# can run here and PAGES free hugepages of 2 MiB are reserved (put
# pages_restore in the EXIT trap first). Otherwise false, HOSTS_UNAVAILABLE
# saying why, and HOSTS_BROKEN=1 when that is a fault (the guest could not
# be built) rather than a limit of the machine.
hosts_ready() {
    HOSTS_BROKEN=0
    HOSTS_UNAVAILABLE=$(libvirtd_available) || return 1
    vswitchd_available || { HOSTS_UNAVAILABLE=$DPDK_UNAVAILABLE; return 1; }
    guest_prepare >/dev/null 2>&1 ||
        { HOSTS_UNAVAILABLE="the guest (kernel and initramfs) could not be built"; HOSTS_BROKEN=1; return 1; }
    pages_reserve "$1" || {
        pages_restore
        HOSTS_UNAVAILABLE="$1 hugepages of 2 MiB cannot be reserved here (a DPDK VM's memory is hugepages)"
        return 1
    }
}

# hosts_ready_or_skip DESCRIPTION PAGES: hosts_ready, or a TAP test ends
# here: a skip with the reason (a failure when it is a fault).
hosts_ready_or_skip() {
    hosts_ready "$2" && return 0
    if ((HOSTS_BROKEN)); then fail "$1" "$HOSTS_UNAVAILABLE"; else skip "$1" "$HOSTS_UNAVAILABLE"; fi
    done_testing
    exit
}
