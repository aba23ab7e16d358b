# Shared by the integration tests: TAP output and private daemons.
#
# Each test file sources this, starts what it needs under $T (a fresh
# temporary directory, removed at exit with every daemon in it stopped by
# PID) and reports with ok/fail. Nothing touches the host's own Open vSwitch.

set -u
CSDPDK=${CSDPDK:-build/csdpdk}
CSDPDK=$(realpath "$CSDPDK")
SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
T=$(mktemp -d /tmp/csdpdk-t.XXXXXX)
tap_n=0
tap_failed=0
daemon_pids=()

# alive PID: the process exists and is not a zombie (a detached daemon's
# zombie waits for PID 1, which may take its time in a container).
alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

cleanup() {
    local pid
    for pid in "${daemon_pids[@]}"; do
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${daemon_pids[@]}"; do
        for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf --one-file-system "$T" # never through a mount left in it
}
trap cleanup EXIT

ok() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1"
}

# fail DESCRIPTION [DETAIL...]
fail() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $1"
    shift
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

skip() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1 # SKIP $2"
}

done_testing() {
    echo "1..$tap_n"
    ((tap_failed == 0))
}

# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else fail "$desc" "failed: $*" "last stdout: ${out:-}" "last stderr: ${err:-}"; fi
}

# run [CSDPDK ARGS...] <<< REQUEST: runs csdpdk; sets $out, $err, $status.
run() {
    capture "$CSDPDK" "$@"
}

# capture COMMAND...: runs the command; sets $out, $err, $status.
capture() {
    local o e
    o=$(mktemp "$T/out.XXXXXX") e=$(mktemp "$T/err.XXXXXX")
    "$@" >"$o" 2>"$e"
    status=$?
    out=$(cat "$o") err=$(cat "$e")
    rm -f "$o" "$e"
}

# jqo FILTER: applies FILTER to the last stdout.
jqo() {
    jq -r "$1" <<<"$out"
}

# expect_error CODE EXIT: the last run failed with CODE and EXIT, stderr empty.
expect_error() {
    [[ $status == "$2" && $(jqo .error.code) == "$1" && -z $err ]]
}

expect_ok() {
    [[ $status == 0 && $(jqo .ok) == true && -z $err ]]
}

# ---- ovsdb-server ----

# ovsdb_start DIR: a private ovsdb-server on DIR/db.sock with an initialised
# Open_vSwitch row; sets DB (its URL) and OVSDB_DIR.
ovsdb_start() {
    OVSDB_DIR=$1
    mkdir -p "$OVSDB_DIR"
    DB=unix:$OVSDB_DIR/db.sock
    [[ -f $OVSDB_DIR/conf.db ]] || ovsdb-tool create "$OVSDB_DIR/conf.db" "$SCHEMA" || return 1
    ovsdb_run || return 1
    ovs-vsctl --db="$DB" --no-wait init
}

# ovsdb_run: (re)starts ovsdb-server on the database of OVSDB_DIR.
ovsdb_run() {
    rm -f "$OVSDB_DIR/db.sock"
    OVS_RUNDIR=$OVSDB_DIR OVS_LOGDIR=$OVSDB_DIR ovsdb-server --detach --no-chdir \
        --pidfile="$OVSDB_DIR/ovsdb.pid" --log-file="$OVSDB_DIR/ovsdb.log" \
        --unixctl="$OVSDB_DIR/ovsdb.ctl" --remote=punix:"$OVSDB_DIR/db.sock" \
        "$OVSDB_DIR/conf.db" 2>>"$OVSDB_DIR/stderr.log" || return 1
    daemon_pids+=("$(cat "$OVSDB_DIR/ovsdb.pid")")
}

ovsdb_pid() {
    cat "$OVSDB_DIR/ovsdb.pid"
}

# ovsdb_kill SIGNAL: sends SIGNAL and, for TERM and KILL, waits until it is gone.
ovsdb_kill() {
    local pid
    pid=$(ovsdb_pid)
    kill "-$1" "$pid"
    if [[ $1 == TERM || $1 == KILL ]]; then
        for _ in $(seq 100); do alive "$pid" || return 0; sleep 0.02; done
        return 1
    fi
}

vsctl() {
    ovs-vsctl --db="$DB" --no-wait "$@"
}

# plugged_long_ago PORT...: sets the stamp a plug leaves on a port
# (csdpdk-plug-time) two hours back, past gc's grace for a start that has
# not come: as if the VM was plugged and never started.
plugged_long_ago() {
    local p mark=$(($(date +%s) - 7200)) args=()
    for p; do
        [[ -n $p ]] || continue
        args+=(-- set Interface "$p" external_ids:csdpdk-plug-time="$mark"
               -- set Port "$p" external_ids:csdpdk-plug-time="$mark")
    done
    ((${#args[@]} == 0)) || vsctl "${args[@]}"
}

# plug_stamp PORT [TABLE]: the port's csdpdk-plug-time, bare (its Interface
# row's, or TABLE's); nothing when it has none.
plug_stamp() {
    vsctl get "${2:-Interface}" "$1" external_ids:csdpdk-plug-time 2>/dev/null | tr -d '"'
}

# db_size: the size of the database file; a commit makes it grow.
db_size() {
    stat -c %s "$OVSDB_DIR/conf.db"
}

add_bridge() {
    vsctl add-br "$1" -- set bridge "$1" datapath_type=netdev
}

# Port names on all bridges, sorted by number.
ports_of() {
    vsctl list-ports "$1" | sort -V
}

# ---- hugepages of 2 MiB, reserved for a test and given back ----

HUGE_POOL=/sys/kernel/mm/hugepages/hugepages-2048kB
PAGES_SAVED=

# pages_reserve N: reserves pages (HUGE_POOL/nr_hugepages: the per-size form
# of /proc/sys/vm/nr_hugepages)
# until at least N are free; the first call keeps the machine's own value
# for pages_restore (put it in the EXIT trap). False if the machine does
# not allow it.
pages_reserve() {
    local free total
    total=$(cat "$HUGE_POOL/nr_hugepages" 2>/dev/null) || return 1
    free=$(cat "$HUGE_POOL/free_hugepages")
    [[ -n $PAGES_SAVED ]] || PAGES_SAVED=$total
    ((free >= $1)) && return 0
    echo $((total + $1 - free)) >"$HUGE_POOL/nr_hugepages" 2>/dev/null
    (($(cat "$HUGE_POOL/free_hugepages") >= $1))
}

# pages_free: how many are free now. pages_set_free N: makes exactly N free
# (fewer reserved), to play a host short of them.
pages_free() {
    cat "$HUGE_POOL/free_hugepages"
}
pages_set_free() {
    echo $(($(cat "$HUGE_POOL/nr_hugepages") - $(pages_free) + $1)) >"$HUGE_POOL/nr_hugepages"
}

# pages_restore: puts the machine's own value back.
pages_restore() {
    [[ -n $PAGES_SAVED ]] && echo "$PAGES_SAVED" >"$HUGE_POOL/nr_hugepages" 2>/dev/null
    return 0
}

# ---- requests ----

NUMA="<cpu mode='host-passthrough'><numa><cell id='0' cpus='0' memory='1048576' unit='KiB' memAccess='shared'/></numa></cpu>"
HUGEPAGES="<memoryBacking><hugepages/></memoryBacking>"

# plug_request VM_UUID MODE NIC_JSON...: a plug request for NICs given as
# JSON objects. printf, not jq: the concurrency test makes thousands.
# (NUMA and HUGEPAGES hold no '"' or '\'.)
plug_request() {
    local vm=$1 mode=$2 nics
    shift 2
    nics=$(IFS=,; echo "$*")
    printf '{"vm": {"uuid": "%s"}, "nics": [%s], "details": {"encoding": "none", "vm": {"DPDK-VHOSTUSER": "%s", "extraconfig-dpdk-numa": "%s", "extraconfig-dpdk-hugepages": "%s"}}}\n' \
        "$vm" "$nics" "$mode" "$NUMA" "$HUGEPAGES"
}

# nic MAC BRIDGE [VLAN]
nic() {
    if [[ -n ${3:-} ]]; then
        printf '{"mac": "%s", "bridge": "%s", "vlan": %s}' "$1" "$2" "$3"
    else
        printf '{"mac": "%s", "bridge": "%s"}' "$1" "$2"
    fi
}

# dpdk_host DIR: a private ovsdb-server in DIR (ovsdb_start) that looks like
# a DPDK host's: DPDK initialised, a netdev bridge cloudbr0, the socket
# directory DIR/vhost named in DIR/agent.properties, and an
# ovs-vswitchd.pid that names a live process (this shell: capabilities
# sees a switch; plug, which checks the process's name, does not wait for
# one). Sets HOST_ARGS: the options that point csdpdk at it,
# with libvirt's test:///default and tests/data's one-node sysfs,
# hugetlbfs and qemu.conf.
dpdk_host() {
    local data
    data=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../data")
    ovsdb_start "$1" || return 1
    add_bridge cloudbr0
    mkdir -p "$1/vhost" && chmod 0777 "$1/vhost"
    agent_properties "$1/agent.properties" "$1/vhost"
    vsctl set Open_vSwitch . dpdk_initialized=true 'iface_types=[dpdkvhostuser,dpdkvhostuserclient]' \
        other_config:vhost-sock-dir=vhost
    echo $$ >"$1/ovs-vswitchd.pid"
    HOST_ARGS=(--ovsdb "$DB" --agent-properties "$1/agent.properties" --libvirt test:///default
               --sysfs "$data/sysfs/one-node" --proc "$data/proc/hugetlbfs"
               --qemu-conf "$data/qemu.conf/daemon.conf")
}

# dpdk_request VM-UUID MODE OP-ID NIC...: the plug request (with an OP-ID,
# the migrate-prepare request) of a 1 GiB, 2-vCPU VM whose NUMA cell 0 is
# shared, with its domain XML.
dpdk_request() {
    local vm=$1 mode=$2 op=$3
    shift 3
    plug_request "$vm" "$mode" "$@" |
        jq -c --arg op "$op" \
            --arg d "<domain type='kvm'><name>i-2-7-VM</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os><devices/></domain>" \
            '.domain_xml = $d | .vm.memory_kib = 1048576 | .vm.vcpus = 2
             | .details.vm["extraconfig-dpdk-numa"] = "<cpu><numa><cell id=\u00270\u0027 cpus=\u00270-1\u0027 memory=\u00271048576\u0027 memAccess=\u0027shared\u0027/></numa></cpu>"
             | if $op != "" then .op_id = $op else . end'
}

# stale_socket PATH: a unix socket file that nothing holds (bound by a
# process that has exited, as a dead switch leaves its own).
stale_socket() {
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

# agent_properties FILE DIR: writes FILE, the agent.properties of a
# DPDK-enabled host whose vhost-user socket directory is DIR.
agent_properties() {
    printf 'network.bridge.type=openvswitch\nopenvswitch.dpdk.enabled=true\nopenvswitch.dpdk.ovs.path=%s\n' \
        "$2" >"$1"
}

# uuid_for N: a stable VM UUID for test VM number N.
uuid_for() {
    printf '00000000-0000-4000-8000-%012d' "$1"
}

# mac_for N K: a stable MAC for NIC K of test VM N.
mac_for() {
    printf '02:00:%02x:%02x:%02x:%02x' $(($1 / 256 % 256)) $(($1 % 256)) $(($2 / 256 % 256)) $(($2 % 256))
}
