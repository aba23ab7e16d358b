# domain-complete's cases read a private OVSDB: an ovsdb-server in $1
# (cli-runner stops it by its pidfile and removes $1) holding the ports
# below, on a netdev bridge. The socket directory is /var/run/openvswitch
# (tests/data/agent/var-run-openvswitch.properties): nothing is created
# there, domain-complete only compares paths.
set -eu
D=$1
VM=3e1a2c4b-5d6f-4a7b-8c9d-0e1f2a3b4c5d
ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema
OVS_RUNDIR=$D OVS_LOGDIR=$D ovsdb-server --detach --no-chdir --pidfile="$D/ovsdb.pid" \
    --log-file="$D/ovsdb.log" --unixctl="$D/ovsdb.ctl" --remote=punix:"$D/db.sock" "$D/conf.db"
vsctl() { ovs-vsctl --db="unix:$D/db.sock" --no-wait "$@"; }
vsctl init -- add-br cloudbr0 -- set Bridge cloudbr0 datapath_type=netdev

# port NAME TYPE EXTERNAL_IDS...: a port on cloudbr0 whose Port and
# Interface both carry the tags, as csdpdk writes them.
port() {
    local name=$1 type=$2 ids=() id
    shift 2
    for id in "$@"; do ids+=("external_ids:$id"); done
    vsctl add-port cloudbr0 "$name" -- set Interface "$name" type="$type" "${ids[@]}"
    if ((${#ids[@]})); then vsctl set Port "$name" "${ids[@]}"; fi
}
client() { vsctl set Interface "$1" "options:vhost-server-path=$2"; }

# The VM's server-mode port (OVS owns the socket: <source mode='client'>).
port csdpdk-1 dpdkvhostuser vm-id=$VM attached-mac=02:00:00:00:01:01 iface-id=nic-1
# A NIC's client-mode port, plugged without the VM as a VIF driver inside
# the stock agent does (QEMU owns the socket: <source mode='server'>).
port csdpdk-2 dpdkvhostuserclient attached-mac=02:00:00:00:02:01 iface-id=nic-2 csdpdk-plug-time=1700000000
client csdpdk-2 /var/run/openvswitch/csdpdk-2
port csdpdk-3 dpdkvhostuser vm-id=$VM attached-mac=02:00:00:00:03:01 iface-id=nic-3
# Another VM's port.
port csdpdk-4 dpdkvhostuser vm-id=00000000-0000-4000-8000-000000000004 attached-mac=02:00:00:00:04:01 iface-id=nic-4
# A client-mode port of another name that csdpdk adopted for the VM.
port vhu-adopted dpdkvhostuserclient vm-id=$VM attached-mac=02:00:00:00:05:01 csdpdk-adopted=1700000000
client vhu-adopted /var/run/openvswitch/vhu-adopted
# CloudStack's own port, not csdpdk's (no tags).
port csdpdk-7 dpdkvhostuser
