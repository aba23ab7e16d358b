# NUMA locality cases (docs/ports.md, "NUMA"): one private ovsdb-server per
# switch configuration, in $1 (cli-runner stops each by its pidfile and
# removes $1), each with a netdev bridge br0 and no ovs-vswitchd: the PMDs
# come from other_config:pmd-cpu-mask mapped onto the CPUs of a fabricated
# two-node sysfs tree (tests/data/sysfs/two-nodes: node 0 has CPUs 0-3 and
# 8-11, node 1 CPUs 4-7 and 12-15), as csdpdk predicts them when no switch
# answers (tests/data/sysfs/ovs-order: the same, with node directories that
# list their CPUs as sysfs does, for the CPU OVS starts its default PMD on).
# The switch itself is tested in tests/integration/numa.sh.
set -eu
D=$1
cat > "$D/agent.properties" <<PROPS
network.bridge.type=openvswitch
openvswitch.dpdk.enabled=true
openvswitch.dpdk.ovs.path=$D/vhost
PROPS
mkdir -p "$D/vhost"

# switch NAME [KEY=VALUE]...: an ovsdb-server at $D/NAME.sock whose
# Open_vSwitch other_config has the pairs.
switch() {
    local name=$1
    shift
    ovsdb-tool create "$D/$name.db" /usr/share/openvswitch/vswitch.ovsschema
    OVS_RUNDIR=$D OVS_LOGDIR=$D ovsdb-server --detach --no-chdir --pidfile="$D/$name.pid" \
        --log-file="$D/$name.log" --unixctl="$D/$name.ctl" --remote=punix:"$D/$name.sock" "$D/$name.db"
    local set=()
    for kv in "$@"; do
        set+=("other_config:${kv%%=*}=\"${kv#*=}\"")
    done
    ovs-vsctl --db="unix:$D/$name.sock" --no-wait init -- add-br br0 \
        -- set Bridge br0 datapath_type=netdev ${set[@]+-- set Open_vSwitch . "${set[@]}"}
}

switch unset
switch mask-node0 pmd-cpu-mask=0xf
switch mask-node1 pmd-cpu-mask=0x10
# A mask wider than 64 bits: CPU 0 and CPU 72 (no such CPU here).
switch mask-wide pmd-cpu-mask=0x1000000000000000001
# CPUs 0, 9 and 12 on tests/data/sysfs/ovs-order, where CPU 0 is offline
# (no topology): OVS counts no such CPU, so it polls on 9 and 12 only.
switch mask-offline pmd-cpu-mask=0x1201
switch mask-none pmd-cpu-mask=0x10000
switch legacy pmd-cpu-mask=0x11 dpdk-extra="--legacy-mem --no-pci" dpdk-socket-mem=1024
switch limit pmd-cpu-mask=0x11 dpdk-socket-limit=1024,16
# dpdk-extra's own --socket-mem (a word of its own): OVS ignores
# dpdk-socket-mem then, and node 1 has no DPDK memory.
switch extra-mem pmd-cpu-mask=0x11 dpdk-extra="--legacy-mem --socket-mem 1024" dpdk-socket-mem=1024,1024
# Node 0's only PMD cores (0, 1) are isolated by a queue pinned to each
# (a physical DPDK port with two rx queues).
switch isolated pmd-cpu-mask=0x3
ovs-vsctl --db="unix:$D/isolated.sock" --no-wait add-port br0 pinned \
    -- set Interface pinned type=dpdk options:n_rxq=2 other_config:pmd-rxq-affinity="0:0,1:1"
switch isolated-node0 pmd-cpu-mask=0x13
ovs-vsctl --db="unix:$D/isolated-node0.sock" --no-wait add-port br0 pinned \
    -- set Interface pinned type=dpdk options:n_rxq=2 other_config:pmd-rxq-affinity="0:0,1:1"
# Affinities that pin nothing (OVS 3.1): on a port no PMD polls (internal),
# for a queue the port does not have (a vhost-user port not connected has
# one), and on a port OVS could not add (its error).
switch pinned-nothing pmd-cpu-mask=0x3
ovs-vsctl --db="unix:$D/pinned-nothing.sock" --no-wait add-port br0 internal0 \
    -- set Interface internal0 type=internal other_config:pmd-rxq-affinity="0:0" \
    -- add-port br0 vhost1 -- set Interface vhost1 type=dpdkvhostuserclient other_config:pmd-rxq-affinity="1:1" \
    -- add-port br0 broken -- set Interface broken type=dpdk error='"could not open network device broken"' \
    other_config:pmd-rxq-affinity="0:1"
# A vhost-user port whose VM tag another tool wrote with a quote, a
# backslash and a newline, and counters near 2^63: status keeps the
# Prometheus labels escaped and the text table one line a port.
switch tagged pmd-cpu-mask=0x1
ovs-vsctl --db="unix:$D/tagged.sock" --no-wait add-port br0 csdpdk-1 \
    -- set Interface csdpdk-1 type=dpdkvhostuser 'external_ids:vm-id="x\"y\\z\nw"' \
    external_ids:attached-mac=02:00:00:00:00:01 statistics:rx_packets=1234567890123456789 \
    statistics:rx_dropped=1234567890123456789 statistics:tx_packets=9223372036854775807 \
    statistics:tx_dropped=1234567890123456789
