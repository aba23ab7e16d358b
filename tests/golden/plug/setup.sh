# A plug by NIC (no vm.uuid) whose MAC is on a port bound to a VM that runs
# on this host (docs/ports.md, "Plug"): a private ovsdb-server at
# $1/db.sock (cli-runner stops it by its pidfile and removes $1) with a
# netdev bridge cloudbr0 and csdpdk-1 as CloudStack makes it (OVSDB's own
# _uuid), adopted for the VM of libvirt's test driver (test:///default's
# running domain "test") as adopt --apply tags it; no ovs-vswitchd: the
# refusal comes before anything is written.
set -eu
D=$1
ovsdb-tool create "$D/db.db" /usr/share/openvswitch/vswitch.ovsschema
OVS_RUNDIR=$D OVS_LOGDIR=$D ovsdb-server --detach --no-chdir --pidfile="$D/db.pid" \
    --log-file="$D/db.log" --unixctl="$D/db.ctl" --remote=punix:"$D/db.sock" "$D/db.db"
ovs-vsctl --db="unix:$D/db.sock" --no-wait init -- add-br cloudbr0 \
    -- set Bridge cloudbr0 datapath_type=netdev \
    -- add-port cloudbr0 csdpdk-1 -- set Interface csdpdk-1 type=dpdkvhostuserclient \
    options:vhost-server-path="$D/csdpdk-1" \
    external_ids:vm-id=6695eb01-f6a4-8304-79aa-97f2502e193f \
    external_ids:attached-mac=02:00:4c:5f:00:01 \
    external_ids:iface-id=5a1e3c2d-0000-4000-8000-000000000001 \
    external_ids:csdpdk-adopted=1700000000
iface=$(ovs-vsctl --db="unix:$D/db.sock" get Interface csdpdk-1 _uuid)
ovs-vsctl --db="unix:$D/db.sock" --no-wait \
    set Bridge cloudbr0 'external_ids:"csdpdk-adopted-02:00:4c:5f:00:01"'="$iface"
