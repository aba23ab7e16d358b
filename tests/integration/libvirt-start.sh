#!/usr/bin/env bash
# A real start (the domain-XML issue): csdpdk plugs a client-mode port on a
# real userspace OVS-DPDK and renders the guest's domain; a private libvirtd
# (QEMU driver, TCG) defines it with schema validation and starts it; the
# domain runs, OVS shows the port connected and the guest sees carrier; OVS
# restarts and the guest's link comes back; csdpdk unplugs.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"

reason=$(libvirtd_available) || { skip "a real start through libvirtd" "$reason"; done_testing; exit; }
vswitchd_available || { skip "a real start through libvirtd" "$DPDK_UNAVAILABLE"; done_testing; exit; }
guest_prepare >/dev/null || { fail "prepare the guest (kernel and initramfs)"; done_testing; exit; }

VM=$(uuid_for 42)
MAC=52:54:00:42:00:01
KIB=$((GUEST_MEMORY_MIB * 1024))

# The guest's memory in hugepages, reserved for the test and given back.
trap 'libvirtd_cleanup_all; pages_restore; cleanup' EXIT
HUGE="<memoryBacking><hugepages/><source type='memfd'/><access mode='shared'/></memoryBacking>"
if pages_reserve $((KIB / 2048 + 32)); then
    USE_HUGEPAGES=1
    echo "# the guest's memory: $((KIB / 2048)) hugepages of 2 MiB (memfd), reserved for the test"
else
    USE_HUGEPAGES=0
    echo "# no hugepages can be reserved here: the rendered <hugepages/> is taken out and the guest's"
    echo "# memory is shared memfd memory (<source type='memfd'/> + <access mode='shared'/>)"
fi

ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
vswitchd_start "$T/ovs" || { fail "start ovs-vswitchd-dpdk" "$(tail -5 "$T/ovs/vswitchd.log")"; done_testing; exit; }
add_bridge cloudbr0
mkdir -p "$T/sock" && chmod 0777 "$T/sock"
agent_properties "$T/agent.properties" "$T/sock"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties")
libvirtd_start h1 "$T/h1" >/dev/null || { fail "start a private libvirtd" "$(_lv_diag h1 2>&1 | tail -5)"; done_testing; exit; }

# The agent's domain for the VM (a direct-boot guest), with a placeholder
# interface for the NIC, which csdpdk replaces.
guest_domain_xml vm42 /nonexistent/placeholder.sock server "$MAC" "$T/vm42.console" >"$T/base.xml"
NUMA="<cpu><numa><cell id='0' cpus='0' memory='$KIB' unit='KiB' memAccess='shared'/></numa></cpu>"
jq -n --arg vm "$VM" --arg mac "$MAC" --rawfile d "$T/base.xml" --arg numa "$NUMA" --arg huge "$HUGE" \
    '{vm: {uuid: $vm, name: "vm42"}, nics: [{mac: $mac, bridge: "cloudbr0", vlan: 100}],
      details: {encoding: "none", vm: {"DPDK-VHOSTUSER": "client",
                "extraconfig-dpdk-numa": $numa, "extraconfig-dpdk-hugepages": $huge}},
      domain_xml: $d}' >"$T/plug.json"
run "${C[@]}" plug --request "$T/plug.json"
check "csdpdk plugs the NIC and renders the domain" expect_ok
PORT=$(jqo '.result.ports[0].port')
jqo .result.domain_xml >"$T/vm42.xml"
check "the rendered domain has the vhost-user interface, QEMU owning the socket" \
    grep -q "<source type=\"unix\" path=\"$T/sock/$PORT\" mode=\"server\"/>" "$T/vm42.xml"
if ((!USE_HUGEPAGES)); then
    sed -i 's|<hugepages/>||' "$T/vm42.xml"
fi

check "libvirt defines it, validating against its schema" lvsh h1 define --validate "$T/vm42.xml"
t0=$(lv_now)
check "libvirt starts it (TCG)" lvsh h1 start vm42
check "the domain is running" test "$(domain_state h1 vm42)" = running
connected() { run "${C[@]}" status <<<"{\"vm\": {\"uuid\": \"$VM\"}}"; [[ $(jqo '.result.ports[0].connected') == true ]]; }
for _ in $(seq 600); do connected && break; sleep 0.1; done
check "OVS shows the port connected ($(lv_since "$t0") s after start)" connected
check "... as OVSDB has it: Interface status:status=connected" \
    test "$(iface_status "$PORT")" = connected
check "... and the guest sees carrier on its NIC" guest_wait_console "$T/vm42.console" 'csdpdk-guest: eth0 carrier 1' 120
check "a frame from the switch leaves through the port" link_up "$PORT" 30

vswitchd_restart TERM >/dev/null
t0=$(lv_now)
for _ in $(seq 300); do connected && break; sleep 0.1; done
check "after ovs-vswitchd restarts, the port is connected again ($(lv_since "$t0") s)" connected
check "... and frames flow through it again" link_up "$PORT" 30
check "... the domain never stopped" test "$(domain_state h1 vm42)" = running

check "libvirt destroys the domain" lvsh h1 destroy vm42
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
check "csdpdk unplugs its port" test "$(jqo '.result.removed | join(" ")')" = "$PORT"
check "nothing is left on the bridge" test "$(vsctl list-ports cloudbr0 | wc -l)" = 0

done_testing
