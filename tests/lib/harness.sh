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
    rm -rf "$T"
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
    local o e
    o=$(mktemp "$T/out.XXXXXX") e=$(mktemp "$T/err.XXXXXX")
    "$CSDPDK" "$@" >"$o" 2>"$e"
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
