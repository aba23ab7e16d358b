# A live migration as the CloudStack agent runs it, between hosts of
# tests/lib/hosts.sh, for the test (tests/integration/live-migration.sh),
# the benchmark (tests/bench/migration.sh) and the demo. Source it after
# hosts.sh, then describe the VM:
#
#   NAME=vm61 VM=UUID MACS=(52:54:00:61:00:01 ...) VLANS=("" 100) KIB=262144
#   mig_guest_xml csdpdk.ping=0.1 >"$T/base.xml"   # the agent's domain, no DPDK yet
#   hrun h1 plug <<<"$(vm_request server)"          # ... boot it, then:
#   mig_prepare h1 h2 client op-1 || echo "$MIG_FAILED"
#   mig_migrate h1 h2 && mig_outage h1 h2 "${MACS[0]}"
#
# Each step's wall time goes to FIG[step] (seconds, 3 decimals).

declare -gA FIG=()
MIG_HUGEPAGES=${MIG_HUGEPAGES:-"<memoryBacking><hugepages/></memoryBacking>"}

# mig_guest_xml [KERNEL ARGS...]: the agent's domain of the test guest
# (tests/lib/libvirtd.sh), with the VM's UUID, its console in the host's
# own /var/log/libvirt/qemu, a placeholder for its first NIC (csdpdk
# replaces it), and the extra kernel arguments (csdpdk.ping=SECONDS).
mig_guest_xml() {
    GUEST_CMDLINE="console=ttyS0 pci=nomsi panic=-1${*:+ $*}" \
        guest_domain_xml "$NAME" /nonexistent/placeholder.sock server "${MACS[0]}" \
        "/var/log/libvirt/qemu/$NAME.console" | sed "s|</name>|</name><uuid>$VM</uuid>|"
}

# vm_request MODE [OP_ID [BRIDGE]]: the VM as the agent describes it to plug
# (with its domain, $T/base.xml) or to migrate-prepare (with OP_ID): its
# NICs on BRIDGE (default HOST_BRIDGE) with their VLANS, CloudStack's
# details with DPDK-VHOSTUSER = MODE and one shared NUMA cell.
vm_request() {
    local cell="<cpu><numa><cell id='0' cpus='0' memory='$KIB' unit='KiB' memAccess='shared'/></numa></cpu>"
    jq -n --arg vm "$VM" --arg name "$NAME" --arg macs "${MACS[*]}" --arg vlans "${VLANS[*]:-}" \
        --arg mode "$1" --arg op "${2:-}" --arg br "${3:-$HOST_BRIDGE}" --arg cell "$cell" \
        --arg huge "$MIG_HUGEPAGES" --rawfile d "$T/base.xml" --argjson kib "$KIB" \
        '($vlans | split(" ")) as $v
         | {vm: {uuid: $vm, name: $name, memory_kib: $kib},
            nics: [$macs | split(" ") | to_entries[]
                   | {mac: .value, bridge: $br} + (if ($v[.key] // "") != "" then {vlan: ($v[.key] | tonumber)} else {} end)],
            details: {encoding: "none", vm: {"DPDK-VHOSTUSER": $mode, "extraconfig-dpdk-numa": $cell,
                      "extraconfig-dpdk-hugepages": $huge}}}
         | if $op == "" then .domain_xml = $d else .op_id = $op end'
}

# mig_console HOST: the file the guest's serial console writes on HOST.
mig_console() {
    echo "$T/$1/lv/log/qemu/$NAME.console"
}

# timed NAME COMMAND...: runs the command, keeps its wall time in FIG[NAME],
# returns its status.
timed() {
    local name=$1 t rc
    shift
    t=$(date +%s%N)
    "$@"
    rc=$?
    FIG[$name]=$(awk -v ns=$(($(date +%s%N) - t)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    return $rc
}

# mig_prepare SRC DST MODE OP: migrate-prepare on DST (the VM's ports there,
# DPDK-VHOSTUSER = MODE); migrate-check of the running domain's migratable
# XML on SRC against DST's libvirtd and that report; migrate-rewrite. Sets
# PREPARED and CHECKED (csdpdk's output), writes $T/migratable.xml and the
# destination's XML $T/dest.xml. False if a step failed: MIG_FAILED says
# which, with csdpdk's output.
mig_prepare() {
    local src=$1 dst=$2 mode=$3 op=$4
    timed prepare hrun "$dst" migrate-prepare <<<"$(vm_request "$mode" "$op")"
    if [[ $status != 0 || $(jqo .result.eligible) != true ]]; then
        MIG_FAILED="$dst: migrate-prepare ($mode): $out"
        return 1
    fi
    PREPARED=$out
    lvsh "$src" dumpxml --migratable "$NAME" >"$T/migratable.xml"
    timed check hrun "$src" migrate-check <<<"$(jq -n --rawfile d "$T/migratable.xml" \
        --arg u "${LIBVIRT_URIS[$dst]}" --argjson r "$PREPARED" \
        '{domain_xml: $d, destination: $u, destination_report: $r.result}')"
    if [[ $status != 0 ]]; then
        MIG_FAILED="$src: migrate-check against $dst: $out"
        return 1
    fi
    CHECKED=$out
    timed rewrite hrun "$src" migrate-rewrite <<<"$(jq -n --rawfile d "$T/migratable.xml" \
        --argjson r "$PREPARED" '{domain_xml: $d, mapping: $r.result.mapping}')"
    if [[ $status != 0 ]]; then
        MIG_FAILED="$src: migrate-rewrite: $out"
        return 1
    fi
    jqo .result.domain_xml >"$T/dest.xml"
}

# mig_migrate SRC DST [BANDWIDTH]: libvirt's live migration of the VM with
# $T/dest.xml as the destination's XML (live and persistent), the source
# undefined, at most BANDWIDTH MiB/s. Sets MIGRATE_T0 (its start),
# MIGRATE_OUT and MIGRATE_STATUS (also its own status); its time goes to
# FIG[migrate].
mig_migrate() {
    local bw=()
    [[ -n ${3:-} ]] && bw=(--bandwidth "$3")
    MIGRATE_T0=$(lv_now)
    timed migrate _mig_virsh "$1" "$2" "${bw[@]}"
}
_mig_virsh() {
    MIGRATE_OUT=$(LVSH_TIMEOUT=180 lvsh "$1" migrate --live --persistent --undefinesource \
        --xml "$T/dest.xml" --persistent-xml "$T/dest.xml" "$NAME" "${LIBVIRT_URIS[$2]}" \
        --migrateuri tcp://127.0.0.1 "${@:3}" 2>&1)
    MIGRATE_STATUS=$?
    return $MIGRATE_STATUS
}

# mig_diag DST: what a failed migration left to read on DST, for fail():
# the switch's last vhost-user lines, QEMU's log and the guest's console.
mig_diag() {
    echo "$1's switch:"
    grep -iE 'vhost|virtio' "$T/$1/ovs/vswitchd.log" 2>/dev/null | tail -n 8
    echo "$1's QEMU log:"
    tail -n 5 "$T/$1/lv/log/qemu/$NAME.log" 2>/dev/null
    echo "$1's guest console:"
    tail -n 3 "$(mig_console "$1")" 2>/dev/null
}

# mig_outage SRC DST MAC: the network's outage of the last migration: the
# seconds from the last frame of MAC through SRC's switch to the first
# through DST's (frame clocks of hosts.sh), both after MIGRATE_T0.
mig_outage() {
    local first last
    first=$(frames_times "$2" "$3" "$MIGRATE_T0" | head -n 1)
    [[ -n $first ]] || return 1
    last=$(frames_times "$1" "$3" "$MIGRATE_T0" "$first" | tail -n 1)
    [[ -n $last ]] || return 1
    awk -v a="$last" -v b="$first" 'BEGIN { printf "%.3f\n", b - a }'
}

# mig_downtime HOST: libvirt's figure for the guest's pause in the last
# migration, in ms (the destination's completed job).
mig_downtime() {
    lvsh "$1" domjobinfo --completed "$NAME" 2>/dev/null | awk '/^Total downtime:/ { print $3 }'
}

# ---- CloudStack's own flow (no csdpdk on the source) ----

# cs_rewrite IN OUT MAPPING: the source-side rewrite of CloudStack's agent
# (LibvirtMigrateCommandWrapper.replaceDpdkInterfaces), exactly: for each
# <interface type='vhostuser'>, by its MAC, <target dev> := port (when there
# is a <target>), <source path> := path + "/" + port, <source mode> := mode;
# nothing else. MAPPING is a JSON object MAC -> {path, port, mode} as the
# destination's PrepareForMigration answers (DpdkTO: path is the agent's
# openvswitch.dpdk.ovs.path with a trailing '/', hence "//").
cs_rewrite() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
src, dst, mapping = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
tree = ET.parse(src)
for iface in tree.getroot().findall("./devices/interface[@type='vhostuser']"):
    to = mapping[iface.find("mac").get("address")]
    target = iface.find("target")
    if target is not None:
        target.set("dev", to["port"])
    source = iface.find("source")
    source.set("path", to["path"] + "/" + to["port"])
    source.set("mode", to["mode"])
tree.write(dst)
PY
}

# cs_mapping PLUG_RESULT: CloudStack's DpdkTO map from a plug's answer, as
# the agent's PrepareForMigration builds it from the InterfaceDef (path
# with its trailing '/').
cs_mapping() {
    jq -c '[.result.ports[] | {key: .mac, value: {path: (.socket | sub("[^/]*$"; "")), port: .port,
            mode: .guest_mode}}] | from_entries' <<<"$1"
}
