# agent-config's cases: a private ovsdb-server in $1 (cli-runner stops it by
# its pidfile and removes $1) whose Open vSwitch puts server-mode sockets in
# $1/vhost (its run directory, $1, and other_config:vhost-sock-dir=vhost),
# and the agent.properties files the cases read, in $1.
set -eu
D=$1
ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema
OVS_RUNDIR=$D OVS_LOGDIR=$D ovsdb-server --detach --no-chdir --pidfile="$D/ovsdb.pid" \
    --log-file="$D/ovsdb.log" --unixctl="$D/ovsdb.ctl" --remote=punix:"$D/db.sock" "$D/conf.db"
ovs-vsctl --db="unix:$D/db.sock" --no-wait init -- set Open_vSwitch . other_config:vhost-sock-dir=vhost
printf '#!/bin/sh\nexit 0\n' > "$D/csdpdk" && chmod +x "$D/csdpdk"

# properties NAME [KEY=VALUE | -KEY]...: the complete settings, as the
# operator's agent.properties would hold them, changed as given (-KEY:
# left out; a KEY of no line: added at the end), into $D/NAME.properties.
properties() {
    local name=$1 line key arg
    shift
    local lines=(
        "# CloudStack agent settings for csdpdk's VIF driver"
        "network.bridge.type=openvswitch"
        "openvswitch.dpdk.enabled=true"
        "openvswitch.dpdk.ovs.path=$D/vhost/"
        "libvirt.vif.driver=org.csdpdk.cloudstack.agent.CsdpdkVifDriver"
        "agent.hooks.libvirt_vm_xml_transformer.script=csdpdk-xml-transformer.groovy"
        "csdpdk.path=$D/csdpdk"
        "csdpdk.ovsdb=unix:$D/db.sock"
        "csdpdk.libvirt=qemu:///system"
        "csdpdk.capable.required=TRUE"
        "csdpdk.timeout=10"
    )
    for line in "${lines[@]}"; do
        key=${line%%=*}
        case " $* " in
            *" -$key "*) continue ;;
            *" $key="*) line=$(printf '%s\n' "$@" | grep -m1 "^$key=") ;;
        esac
        printf '%s\n' "$line"
    done > "$D/$name.properties"
    for arg in "$@"; do
        grep -q "^${arg%%=*}=" "$D/$name.properties" || [[ $arg == -* ]] || printf '%s\n' "$arg" >> "$D/$name.properties"
    done
}

properties all-right
properties driver-missing -libvirt.vif.driver
properties bridge-native network.bridge.type=native
properties capable-maybe csdpdk.capable.required=maybe
properties optional-values-bad csdpdk.path=csdpdk csdpdk.ovsdb=localhost:6640 \
    csdpdk.libvirt=system csdpdk.timeout=0
properties other-transformer agent.hooks.libvirt_vm_xml_transformer.script=libvirt-vm-xml-transformer.groovy \
    agent.hooks.basedir=/srv/cloudstack/hooks
# What a host that ran DPDK VMs with CloudStack's own code has.
properties stock openvswitch.dpdk.enabled=True openvswitch.dpdk.ovs.path=/var/run/openvswitch \
    libvirt.vif.driver=com.cloud.hypervisor.kvm.resource.OvsVifDriver \
    -agent.hooks.libvirt_vm_xml_transformer.script -csdpdk.path -csdpdk.ovsdb -csdpdk.libvirt \
    -csdpdk.capable.required -csdpdk.timeout
