#!/usr/bin/env bash
# make demo: csdpdk's main job on this machine, narrated, with a real VM.
# Two hosts (each a private libvirtd, ovsdb-server and DPDK ovs-vswitchd in
# userspace: tests/lib/hosts.sh) and a small Linux guest under QEMU, then:
# capability, deploy, the guest's traffic through the switch, an OVS crash
# and the reconnect, a live migration to the second host, a migration that
# is cancelled and rolled back, a VM that CloudStack's own code plugged
# adopted without a restart and then powering itself off (csdpdk's libvirt
# hook removes its ports), the VM's stop and nothing left behind.
# Where no guest can boot, tests/demo-standin.sh runs instead (a stand-in
# VM, the migration's checks only). Nothing of the host's own Open vSwitch
# or libvirt is touched; hugepages are reserved for the guest and given
# back.
set -u
cd "$(dirname "$0")/.."
. tests/lib/harness.sh
. tests/lib/dpdk.sh
. tests/lib/libvirtd.sh
. tests/lib/hosts.sh
. tests/lib/migrate.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   %s\n' "$@"; }
show() { printf '   $ csdpdk %s\n' "$*"; }
indent() { sed 's/^/     /'; }
die() { printf '\ndemo stopped: %s\n' "$*"; exit 1; }
ms_since() { echo $((($(now_us) - $1) / 1000)); }
checks() { jq -r '.result | "eligible: \(.eligible)", (.checks[] | "\(if .ok then "✓" else "✗" end) \(.side) \(.id): \(.detail)")'; }

standin() {
    printf 'The real VM cannot run here (%s): the demo runs with a stand-in VM.\n' "$1"
    trap - EXIT
    cleanup
    exec bash tests/demo-standin.sh
}
NAME=i-2-10-VM VM=6695eb01-f6a4-8304-79aa-97f2502e193f MACS=(02:00:4c:5f:00:01) VLANS=(100)
MAC=${MACS[0]} KIB=$((GUEST_MEMORY_MIB * 1024)) PAGES=$((GUEST_MEMORY_MIB / 2))
trap 'libvirtd_cleanup_all; pages_restore; cleanup' EXIT
# The stand-in needs the DPDK switch too.
hosts_ready $((2 * PAGES + 32)) || { vswitchd_available || die "$DPDK_UNAVAILABLE"; standin "$HOSTS_UNAVAILABLE"; }
HUGE_NOTE="$((2 * PAGES + 32)) hugepages of 2 MiB reserved for it (given back at the end)"

say "1. Two hosts on this machine"
for h in h1 h2; do HOST_HOOK=1 host_up "$h" || die "host $h did not start"; done
note "Each host: a private libvirtd (QEMU driver) in its own mount namespace, with csdpdk's libvirt" \
     "hook in its /etc/libvirt/hooks/qemu.d, an ovsdb-server and the DPDK build of ovs-vswitchd in" \
     "userspace (--no-huge), a netdev bridge cloudbr0, a vhost-user socket directory and an" \
     "agent.properties naming it. The guest: a Debian kernel and a busybox initramfs under TCG," \
     "256 MiB, $HUGE_NOTE."
show "capabilities --format text   (on h1)"
hrun h1 --format text capabilities
indent <<<"$out"
grep -q '^NUMA node 0' <<<"$out" || die "capabilities printed no NUMA line"
note "(Each libvirtd here mounts a hugetlbfs of its own, in its namespace, hence the warning.)"

say "2. Deploy on h1"
note "The offering carries CloudStack's documented URL-encoded snippets (9 GiB, host-passthrough):"
show "decode < offering.json"
"$CSDPDK" decode --format json --request tests/golden/decode/cloudstack-docs.in |
    jq -r '.result | "mode \(.mode) (port \(.port_type)), numa \(.numa)"' | indent
note "This guest has 256 MiB under TCG, which refuses host-passthrough: the VM's own details override" \
     "the NUMA cell (the VM's value wins) and ask DPDK-VHOSTUSER=client (QEMU owns the socket); the" \
     "hugepages come from the offering."
mig_guest_xml csdpdk.ping=0.1 >"$T/base.xml"
# The agent's request: the offering's details as the API has them, the VM's
# URL-encoded the same way.
deploy_request() {
    vm_request client | jq --slurpfile o tests/golden/decode/cloudstack-docs.in '
        .details = {encoding: "url", offering: $o[0].offering,
                    vm: {"DPDK-VHOSTUSER": "client",
                         "extraconfig-dpdk-numa": (.details.vm["extraconfig-dpdk-numa"] | @uri)}}'
}
show "plug --format text < plug.json   (with the agent's domain XML)"
hrun h1 --format text plug <<<"$(deploy_request)"
sed -n '/^mode /,$p' <<<"$out" | indent
note "(and domain_xml: the agent's domain with the vhost-user interface, the NUMA cell and the" \
     " hugepages merged in)"
hrun h1 plug <<<"$(deploy_request)"
[[ $status == 0 ]] || die "plug: $out"
jqo .result.domain_xml >"$T/domain.xml"
PORT=$(jqo '.result.ports[0].port')
lvsh h1 define --validate "$T/domain.xml" >/dev/null || die "libvirt did not define the domain"
t=$(now_us) t0=$(lv_now)
lvsh h1 start "$NAME" >/dev/null || die "libvirt did not start the domain"
frames_wait h1 "$MAC" 3 "$t0" 180 || die "no frame of the guest crossed h1's switch"
note "libvirt defines (validating) and starts the domain; the guest boots, and its frames cross h1's" \
     "switch on $PORT $(ms_since "$t") ms after the start (it sends one every 0.1 s)."

say "3. Open vSwitch crashes and comes back"
note "kill -9 of h1's ovs-vswitchd, then a new one, as the init system would start it."
host_restart_switch h1 KILL >/dev/null 2>&1 || die "ovs-vswitchd did not restart"
t=$(now_us) t0=$(lv_now)
frames_wait h1 "$MAC" 3 "$t0" 30 || die "the guest's frames did not come back"
note "The guest's frames cross the switch again $(ms_since "$t") ms after the new ovs-vswitchd was ready:" \
     "in client mode OVS reconnects to QEMU's socket; the VM noticed a pause, nothing more."

say "4. A live migration to h2"
note "The agent's flow: the destination prepares, the source checks both ends and rewrites the" \
     "domain, libvirt migrates it live with that XML. This time the VM moves back to server mode" \
     "(CloudStack's default), to show that the mode may change on the way."
show "migrate-prepare < prepare.json   (on h2)"
mig_prepare h1 h2 server migration-42 || die "$MIG_FAILED"
checks <<<"$PREPARED" | indent
jq -r '.result.mapping | "mapping: \(tojson)"' <<<"$PREPARED" | indent
show "migrate-check   (on h1: libvirt's migratable XML, h2's libvirtd and report)"
checks <<<"$CHECKED" | indent
show "migrate-rewrite   (on h1)"
grep -o '<interface type="vhostuser">.*</interface>' <(tr -d '\n' <"$T/dest.xml") | sed 's/> *</></g' | indent
note "$ virsh migrate --live --persistent --undefinesource --xml dest.xml --persistent-xml dest.xml ..."
mig_migrate h1 h2 || die "libvirt did not migrate: $MIGRATE_OUT"
frames_wait h2 "$MAC" 3 "$MIGRATE_T0" 30 || die "no frame of the guest on h2"
note "libvirt moved the running VM in ${FIG[migrate]} s (paused for $(mig_downtime h2) ms); its frames now cross" \
     "h2's switch: the network was out for $(mig_outage h1 h2 "$MAC") s, from its last frame through h1's switch."
show "unplug   (on h1: the old port)"
hrun h1 --format text unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
[[ $status == 0 ]] || die "unplug: $out"
indent <<<"$out"
note "Nothing left to remove: when the VM's QEMU on h1 ended, libvirt ran csdpdk's hook (release" \
     "end), which had removed the old port already. unplug is the agent's way; both are safe to repeat."
show "migrate-finish   (on h2: checks the NIC works on the new port, then clears the tags)"
hrun h2 --format text migrate-finish <<<'{"op_id": "migration-42"}'
[[ $status == 0 ]] || die "migrate-finish: $out"
indent <<<"$out"

say "5. A migration that fails is rolled back"
note "Back towards h1, throttled to 5 MiB/s, and cancelled (virDomainAbortJob) 2 s in."
mig_prepare h2 h1 client migration-43 || die "$MIG_FAILED"
note "h1 prepared $(jq -r '[.result.ports[].port] | join(" ")' <<<"$PREPARED") for it."
(mig_migrate h2 h1 5) >/dev/null 2>&1 &
mpid=$!
sleep 2
lvsh h2 domjobabort "$NAME" >/dev/null 2>&1
wait "$mpid" && die "the migration was not cancelled"
t0=$(lv_now)
frames_wait h2 "$MAC" 5 "$t0" 10 || die "the VM lost its network on h2"
note "The migration failed; the VM runs on at h2 ($(domain_state h2 "$NAME")), its frames never stopped."
show "migrate-abort   (on h1)"
hrun h1 --format text migrate-abort <<<'{"op_id": "migration-43"}'
[[ $status == 0 ]] || die "migrate-abort: $out"
indent <<<"$out"
note "The QEMU that h1 had started for the incoming VM ended with the cancel, and the hook removed" \
     "h1's port then: CloudStack's own cleanup of a failed migration cannot (it refuses csdpdk-N names)."

say "6. A VM that CloudStack's own code plugged, adopted without a restart"
OLD=i-2-11-VM OLD_VM=7c1e2f30-5a4b-4c3d-9e8f-0a1b2c3d4e5f OLD_MAC=02:00:4c:5f:00:11
note "On h1, before csdpdk came (its hook out of the way for a moment), CloudStack's agent plugged" \
     "$OLD: 'ovs-vsctl add-port cloudbr0 csdpdk-N vlan_mode=access tag=100 -- set Interface" \
     "csdpdk-N type=dpdkvhostuser' (tests/bench/cloudstack-plug.sh), and libvirt started it with" \
     "the agent's XML (no <reconnect>). Its guest will power itself off 30 s after it boots."
host_use h1
OLD_PORT=$(bash tests/bench/cloudstack-plug.sh "$DB" cloudbr0 "$(host_sockdir h1)" dpdkvhostuser) || die "add-port failed"
vswitchd_sync
hook_link=$T/h1/lv/etc/hooks/qemu.d/csdpdk
mv "$hook_link" "$T/hook.away"
(NAME=$OLD VM=$OLD_VM MACS=("$OLD_MAC"); mig_guest_xml csdpdk.ping=0.1 csdpdk.poweroff=30) |
    sed "s|/nonexistent/placeholder.sock|$(host_sockdir h1)/$OLD_PORT|; s|mode='server'|mode='client'|" >"$T/old.xml"
t0=$(lv_now)
lvsh h1 create "$T/old.xml" >/dev/null || die "libvirt did not start $OLD"
mv "$T/hook.away" "$hook_link"
frames_wait h1 "$OLD_MAC" 5 "$t0" 180 || die "no frame of $OLD crossed h1's switch"
sleep 4
note "Its frames cross h1's switch on $OLD_PORT; csdpdk does not own that port yet:"
show "status --format text --verbose   (on h1)"
hrun h1 --format text --verbose status <<<'{}'
indent <<<"$out"
grep -q 'rx queues: 0 on core' <<<"$out" || die "status shows no PMD polling $OLD_PORT (dpif-netdev/pmd-rxq-show)"
show "adopt --format text   (on h1: a dry run)"
hrun h1 --format text adopt
indent <<<"$out"
carrier=$(grep -c 'carrier 0' "$T/h1/lv/log/qemu/$OLD.console")
vlog=$(wc -l <"$T/h1/ovs/vswitchd.log")
t0=$(lv_now)
show "adopt --apply --format text"
hrun h1 --format text adopt --apply
[[ $status == 0 ]] || die "adopt: $out"
indent <<<"$out"
sleep 3
# window FROM TO: the guest's frames and the longest gap between two.
window() {
    frames_window h1 "$OLD_MAC" "$1" "$2" | awk '{ printf "%d frames, the longest gap %.2f s", $1, $2 }'
}
at() { lv_plus "$t0" "$1"; }
[[ $(grep -c 'carrier 0' "$T/h1/lv/log/qemu/$OLD.console") == "$carrier" ]] || die "the guest saw its carrier go"
[[ $(tail -n +"$vlog" "$T/h1/ovs/vswitchd.log" | grep -c 'has been removed') == 0 ]] || die "the switch removed the device"
note "The guest's frames went on: $(window "$(at -5)" "$(at -1)") in the 4 s before adopt," \
     "$(window "$(at -1)" "$(at 3)") in the 4 s around it. The switch kept the device, and the" \
     "guest saw no carrier change: adopt changes the port's external_ids only."
show "status --format text   (on h1)"
hrun h1 --format text status <<<"{\"vm\": {\"uuid\": \"$OLD_VM\"}}"
indent <<<"$out"

say "7. The adopted guest powers itself off: csdpdk's hook removes its port"
for ((i = 0; i < 120; i++)); do [[ -z $(lvsh h1 list --name | grep -x "$OLD") ]] && break; sleep 0.5; done
[[ -z $(lvsh h1 list --name | grep -x "$OLD") ]] || die "$OLD did not power itself off"
note "$OLD ran 'poweroff -f' inside; QEMU exited, libvirt ran its hooks, and no agent was called." \
     "csdpdk's hook (/etc/libvirt/hooks/qemu.d/csdpdk) logged, in /var/log/libvirt/csdpdk-hook.log:"
grep " $OLD " "$(host_hook_log h1)" | sed 's/^[^ ]* //' | indent
(host_use h1; vsctl list-ports cloudbr0 | grep -qx "$OLD_PORT") && die "$OLD_PORT is still on h1's bridge"
note "h1: $(host_use h1; vsctl list-ports cloudbr0 | wc -l) ports on cloudbr0, nothing in the socket directory: $(ls -A "$(host_sockdir h1)" | wc -l) files."

say "8. The VM stops: its port goes, and nothing is left behind"
lvsh h2 destroy "$NAME" >/dev/null
lvsh h2 undefine "$NAME" >/dev/null
show "unplug   (on h2)"
hrun h2 --format text unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
indent <<<"$out"
note "(The hook removed its port when libvirt destroyed the VM; the agent's unplug finds it gone.)"
for h in h1 h2; do
    hrun "$h" gc
    note "$h: $(host_use "$h"; vsctl list-ports cloudbr0 | wc -l) ports on cloudbr0, $(jqo '.result.orphans | length') orphans (gc), $(lvsh "$h" list --all --name | grep -c .) domains."
done
libvirtd_cleanup_all
pages_restore
cleanup
trap - EXIT
left=$({ pgrep -f -- "$T/"; pgrep -f frames.py; } | wc -l)
note "Every daemon stopped and waited for; processes of the demo left: $left; hugepages back to $PAGES_SAVED."
echo
