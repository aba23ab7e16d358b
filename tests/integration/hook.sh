#!/usr/bin/env bash
# csdpdk's libvirt hook for real (docs/hook.md): three "hosts" on this
# machine (tests/lib/hosts.sh), each a private libvirtd, ovsdb-server and
# DPDK ovs-vswitchd; h1 and h2 run csdpdk-libvirt-hook as the package
# installs it (/etc/libvirt/hooks/qemu.d/csdpdk, in each libvirtd's own
# mount namespace), h3 is a host without csdpdk (ports made as CloudStack's
# agent makes them, tests/bench/cloudstack-plug.sh). The ports are plugged
# the way a VIF driver inside the stock agent can: by NIC, without the VM
# (the hook binds them when the domain starts), and migrations follow
# CloudStack's flow (PrepareForMigration's plug on the destination, the
# source's own XML rewrite, tests/lib/migrate.sh cs_rewrite), with no
# csdpdk call on the source. A real guest (QEMU under TCG, a Linux kernel)
# sends a frame every 0.1 s; each host's frame clock sees it cross its
# switch.
#
# Cases: the hook binds a NIC's port at start; a guest powers itself off
# (nothing left, no agent call); migrations in both directions whose
# rewrite the hook corrects ('//', <reconnect>), the source's ports removed
# by release end; a mixed cluster (to and from h3, without csdpdk); an
# ineligible destination (too few hugepages, a port missing, the switch
# down): refused before QEMU starts, the VM's frames never stop, nothing
# left; a migration that fails after the destination's QEMU started: its
# ports removed; QEMU killed with SIGKILL: ports and socket gone; 32
# domains started and stopped at once: every port bound and removed, no
# hook run longer than its timeout.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/hosts.sh"
. "$(dirname "$0")/../lib/migrate.sh"
. "$(dirname "$0")/../lib/invariants.sh"

NAME=vm71
VM=$(uuid_for 71)
NIC=00000000-0000-4000-8000-0000000071a1
MACS=(52:54:00:71:00:01) VLANS=(100)
MAC=${MACS[0]}
KIB=$((GUEST_MEMORY_MIB * 1024))
PAGES=$((KIB / 2048))
LOAD=${HOOK_LOAD_DOMAINS:-32}
BANDWIDTH=10 # MiB/s for the migration a fault interrupts

# Hugepages: the guest's memory twice (both QEMUs hold it while it moves)
# and the guest that powers itself off, and a margin; given back whatever
# happens.
trap 'libvirtd_cleanup_all; pages_restore; cleanup' EXIT
hosts_ready_or_skip "csdpdk's libvirt hook on real hosts" $((3 * PAGES + 32))

# h2 also has CloudStack's own main hook, /etc/libvirt/hooks/qemu, as every
# CloudStack KVM host does (its agent's package copies it there): csdpdk's
# qemu.d hook runs after it. CloudStack's agent cannot run here, so this is
# a model written from its source (agent/bindir/libvirtqemuhook.in, for
# tests only, never shipped): four arguments or it exits 0; at migrate
# begin it parses the domain with minidom, renames the brX-VLAN bridges of
# bridge interfaces (vhost-user ones have none) and prints minidom's
# serialisation, which libvirt hands to the qemu.d scripts; it logs each
# call to /var/log/libvirt/qemu-hook.log.
mkdir -p "$T/h2/lv/etc/hooks"
cat >"$T/h2/lv/etc/hooks/qemu" <<'PY'
#!/usr/bin/python3
import sys
from xml.dom.minidom import parse

if len(sys.argv) != 5:
    sys.exit(0)
printed = ""
if sys.argv[2:4] == ["migrate", "begin"]:
    try:
        domain = parse(sys.stdin)
        # CloudStack renames the brDEV-VLAN bridge of each bridge interface
        # for this host's device; a vhost-user interface has none.
        for interface in domain.getElementsByTagName("interface"):
            interface.getElementsByTagName("source")[0]
        printed = domain.toxml()
        print(printed)
    except Exception:
        pass
with open("/var/log/libvirt/qemu-hook.log", "a") as log:
    log.write("model of CloudStack's qemu hook: %s: printed %d characters\n" % (" ".join(sys.argv[1:]), len(printed)))
PY
chmod 755 "$T/h2/lv/etc/hooks/qemu"

t0=$(lv_now)
for h in h1 h2; do
    HOST_HOOK=1 host_up "$h" 2>"$T/$h.err" || { fail "start host $h" "$(cat "$T/$h.err")"; done_testing; exit; }
done
host_up h3 2>"$T/h3.err" || { fail "start host h3" "$(cat "$T/h3.err")"; done_testing; exit; }
ok "hosts h1 and h2 with csdpdk's hook, h3 without csdpdk ($(lv_since "$t0") s)"

hook_log() { cat "$(host_hook_log "$1")" 2>/dev/null; }
hook_lines() { hook_log "$1" | grep -c "$2"; }
port_count() { host_use "$1"; vsctl list-ports "$HOST_BRIDGE" 2>/dev/null | grep -c .; }
sockets_in() { ls -A "$(host_sockdir "$1")" 2>/dev/null | tr '\n' ' '; }
owner_of() { hrun "$1" status <<<'{}'; jqo "[.result.ports[] | select(.mac == \"$2\") | \"\(.owned_by):\(.owner)\"] | join(\" \")"; }

# nic_plug HOST MODE [DOMAIN]: the VM's NIC plugged on HOST the way a VIF
# driver can (NIC UUID and MAC, no VM); with DOMAIN, its XML rendered.
nic_plug() {
    local req
    req=$(vm_request "$2" | jq -c --arg nic "$NIC" --arg dom "${3:-}" \
        'del(.vm) | del(.domain_xml) | .nics[0].uuid = $nic | if $dom != "" then .domain_xml = $dom else . end')
    hrun "$1" plug <<<"$req"
}

# cs_migrate SRC DST: the agent's migration, with the destination's answer
# in $PLUGGED (a plug, or cloudstack-plug.sh's mapping in $MAPPING): the
# source's migratable XML rewritten as CloudStack does, then libvirt's live
# migration.
cs_migrate() {
    lvsh "$1" dumpxml --migratable "$NAME" >"$T/migratable.xml"
    cs_rewrite "$T/migratable.xml" "$T/dest.xml" "${MAPPING:-$(cs_mapping "$PLUGGED")}"
    mig_migrate "$1" "$2" "${3:-}"
}

# cs_move SRC DST DESCRIPTION: cs_migrate, then the VM's frames must cross
# DST's switch; the hook's last lines on DST say why not.
cs_move() {
    cs_migrate "$1" "$2"
    if [[ $MIGRATE_STATUS == 0 ]] && frames_wait "$2" "$MAC" 5 "$MIGRATE_T0" 60; then
        ok "$3: the VM's frames cross $2's switch"
    else
        fail "$3: the VM's frames cross $2's switch" "$MIGRATE_OUT" "$(hook_log "$2" | tail -3)"
    fi
}

# holds: both csdpdk hosts' OVSDB against the invariants (tests/lib/invariants.sh),
# the VMs that exist on each being its libvirt's domains, running or not.
host_invariants() { host_use "$1"; invariants_check "$(lvsh "$1" list --all --uuid | tr '\n' ' ')" "" | tr '\n' ' '; }
holds() {
    local v1 v2
    v1=$(host_invariants h1) v2=$(host_invariants h2)
    check "... h1's and h2's OVSDB hold their invariants${v1:+ (h1: $v1)}${v2:+ (h2: $v2)}" test "$v1|$v2" = "|"
}

# frames_steady HOST FROM TO: the VM's frames crossed HOST's switch all
# along, no gap above 1 s (one every 0.1 s).
frames_steady() {
    frames_times "$1" "$MAC" "$2" "$3" | awk -v from="$2" -v to="$3" '
        { if (NR == 1 && $1 - from > 1) bad = 1; if (NR > 1 && $1 - last > 1) bad = 1; last = $1 }
        END { exit !(NR > 0 && !bad && to - last <= 1) }'
}

# ---- a NIC's port, bound when the domain starts ----

GUEST_MEMFD=0 mig_guest_xml csdpdk.ping=0.1 >"$T/base.xml"
nic_plug h1 client "$(cat "$T/base.xml")"
check "h1: plug by NIC (no VM UUID) creates a client-mode port the NIC owns" \
    test "$status $(jqo '.result.ports[0].created')" = "0 true"
jqo .result.domain_xml >"$T/$NAME.xml"
check "... not bound yet: status says owned_by nic, no owner" test "$(owner_of h1 "$MAC")" = "nic:null"
BOOT=$(lv_now)
check "h1: libvirt defines and starts the domain" lvsh h1 define --validate "$T/$NAME.xml"
lvsh h1 start "$NAME" >/dev/null
check "... and the hook bound the port to the VM at prepare begin" test "$(owner_of h1 "$MAC")" = "vm:$VM"
if frames_wait h1 "$MAC" 5 "$BOOT" 180; then
    ok "h1: the guest's frames cross h1's switch ($(lv_since "$BOOT") s after start)"
else
    fail "h1: the guest's frames cross h1's switch" "$(tail -n 5 "$(mig_console h1)")"
    done_testing
    exit
fi

# The guest that powers itself off, on h2, server mode (it runs meanwhile),
# OFF_AFTER seconds after its boot: long enough for the two migrations
# through h2 (about 10 s here) to find it running there.
OFF=vm72 OFF_VM=$(uuid_for 72) OFF_MAC=52:54:00:72:00:01 OFF_AFTER=${OFF_AFTER:-40}
(
    NAME=$OFF VM=$OFF_VM MACS=("$OFF_MAC") VLANS=("") NIC=00000000-0000-4000-8000-0000000072a1
    GUEST_MEMFD=0 mig_guest_xml csdpdk.ping=0.5 csdpdk.poweroff=$OFF_AFTER >"$T/off-base.xml"
    req=$(vm_request server | jq -c --arg nic "$NIC" --rawfile d "$T/off-base.xml" \
        'del(.vm) | .nics[0].uuid = $nic | .domain_xml = $d')
    hrun h2 plug <<<"$req" && jqo .result.domain_xml >"$T/$OFF.xml" && lvsh h2 define "$T/$OFF.xml" >/dev/null &&
        lvsh h2 start "$OFF" >/dev/null
) && OFF_T0=$(lv_now) && ok "h2: a second guest, server mode, set to power itself off after $OFF_AFTER s" ||
    fail "h2: a second guest, server mode, set to power itself off after $OFF_AFTER s" "$out"

# ---- CloudStack's migration, corrected by the hook ----

# h1 -> h2, client to server: CloudStack keeps no <reconnect> (QEMU becomes
# the client, which needs one) and writes "//".
nic_plug h2 server
PLUGGED=$out
check "h2: PrepareForMigration's plug by NIC (server mode)" test "$status" = 0
unset MAPPING
cs_move h1 h2 "h1 -> h2 with CloudStack's rewrite, client to server mode"
check "... the hook corrected CloudStack's XML on h2 (a doubled '/', a missing <reconnect>)" \
    grep -q "migrate begin.*corrected 2 " "$(host_hook_log h2)"
check "... after CloudStack's own main hook on h2 (the model), which ran at migrate begin and printed the domain as minidom writes it (libvirt hands that to qemu.d)" \
    grep -qE "model of CloudStack's qemu hook: $NAME migrate begin .*: printed [1-9][0-9]* characters" "$T/h2/lv/log/qemu-hook.log"
lvsh h2 dumpxml "$NAME" >"$T/on-h2.xml"
check "... the running domain's socket path has one '/' and a <reconnect>" \
    bash -c "grep -q \"path='$(host_sockdir h2)/csdpdk-\" '$T/on-h2.xml' && grep -q '<reconnect enabled=.yes.' '$T/on-h2.xml'"
check "... h2's port is the VM's (bound at prepare begin)" test "$(owner_of h2 "$MAC")" = "vm:$VM"
check "... h1's port and QEMU's socket are gone (release end), with no call to csdpdk there" \
    test "$(ports_on h1)|$(sockets_in h1)" = "|"

# h2 -> h1, server to client: CloudStack keeps <reconnect>, which libvirt
# refuses where QEMU is the socket's server.
nic_plug h1 client
PLUGGED=$out
cs_move h2 h1 "h2 -> h1, server to client mode"
check "... the hook removed the <reconnect> libvirt would refuse, and the '//'" \
    grep -q "migrate begin.*corrected 2 " "$(host_hook_log h1)"
check "... h2's only port is the other guest's" test "$(hrun h2 status <<<'{}'; jqo '[.result.ports[].mac] | join(" ")')" = "$OFF_MAC"
holds

# ---- a mixed cluster: h3 runs CloudStack's own code, no csdpdk ----

MAPPING=$(bash "$(dirname "$0")/../bench/cloudstack-plug.sh" "unix:$T/h3/ovs/db.sock" "$HOST_BRIDGE" \
    "$(host_sockdir h3)" >/dev/null && host_use h3 &&
    jq -nc --arg mac "$MAC" --arg dir "$(host_sockdir h3)/" --arg port "$(vsctl list-ports "$HOST_BRIDGE" | sort -V | tail -1)" \
        '{($mac): {path: $dir, port: $port, mode: "server"}}')
cs_move h1 h3 "h1 -> h3 (no csdpdk, its port made by CloudStack's add-port)"
check "... h1's port removed by its hook's release end" test "$(ports_on h1)" = ""
H3_PORT=$(jq -r '.[].port' <<<"$MAPPING")
unset MAPPING
nic_plug h1 client
PLUGGED=$out
cs_move h3 h1 "h3 -> h1 with h3's CloudStack rewrite, h1's hook correcting it"
host_use h3
vsctl del-port "$H3_PORT" # CloudStack's unplug on the source
check "... h1's port is the VM's; h3's agent removed its own port" \
    test "$(owner_of h1 "$MAC")|$(ports_on h3)" = "vm:$VM|"
holds

# ---- the guest that powered itself off ----

for ((i = 0; i < 120; i++)); do
    [[ $(domain_state h2 "$OFF") == "shut off" ]] && break
    sleep 1
done
check "h2: the second guest powered itself off from inside ($(lv_since "$OFF_T0") s after start)" \
    test "$(domain_state h2 "$OFF")" = "shut off"
check "... its port is gone (release end), with no call to csdpdk" test "$(ports_on h2)" = ""
check "... the hook logged it" grep -q "$OFF release end.*removed csdpdk-" "$(host_hook_log h2)"
holds

# ---- an ineligible destination: refused before QEMU starts ----

# refused WHAT CHECK: the last migration failed with the hook's line naming
# CHECK, the VM runs on h1 with its frames all along, h2 has no domain of
# it and no port.
refused() {
    local t0 t1
    sleep 1
    t0=$(lv_plus "$MIGRATE_T0" -1) t1=$(lv_now)
    if [[ $MIGRATE_STATUS != 0 && $MIGRATE_OUT == *"csdpdk refused the incoming migration: $2:"* ]]; then
        ok "$1: libvirt's error is the hook's, naming the check '$2': ${MIGRATE_OUT##*csdpdk refused the incoming migration: }"
        printf '# libvirt: %s\n' "$(head -n 1 <<<"$MIGRATE_OUT" | sed "s|$T|\$T|g")"
    else
        fail "$1: libvirt's error is the hook's, naming the check '$2'" "$MIGRATE_OUT"
    fi
    check "... the VM runs on at h1" test "$(domain_state h1 "$NAME")" = running
    frames_steady h1 "$t0" "$t1" && ok "... its frames crossed h1's switch all along (no gap over 1 s from 1 s before)" ||
        fail "... its frames crossed h1's switch all along" "$(frames_times h1 "$MAC" "$t0" "$t1" | tail -3)"
    check "... nothing is left on h2 (no domain, no port)" \
        test "$(lvsh h2 list --all --name | grep -c "^$NAME$")|$(ports_on h2)" = "0|"
}

nic_plug h2 client
PLUGGED=$out
pages_set_free $((PAGES / 2))
cs_migrate h1 h2
pages_reserve $((2 * PAGES + 32)) >/dev/null
refused "too few free hugepages on h2" hugepages

# Free pages enough on h2, none on the node the VM's <numatune> binds its
# memory to (node 1: this machine has node 0 only).
nic_plug h2 client
PLUGGED=$out
lvsh h1 dumpxml --migratable "$NAME" >"$T/migratable.xml"
cs_rewrite "$T/migratable.xml" "$T/dest.xml" "$(cs_mapping "$PLUGGED")"
python3 - "$T/dest.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
tree = ET.parse(sys.argv[1])
root = tree.getroot()
numatune = ET.Element("numatune")
ET.SubElement(numatune, "memory", mode="strict", nodeset="1")
root.insert(list(root).index(root.find("vcpu")) + 1, numatune)
tree.write(sys.argv[1])
PY
mig_migrate h1 h2
refused "free pages on h2, none on node 1, where the VM's <numatune> binds its memory" hugepages

nic_plug h2 client
PLUGGED=$out
host_use h2
vsctl del-port "$(jqo '.result.ports[0].port')"
cs_migrate h1 h2
refused "h2's port gone" port

nic_plug h2 client
PLUGGED=$out
host_use h2
vswitchd_stop
cs_migrate h1 h2
refused "h2's switch down" applied
host_restart_switch h2 TERM >/dev/null 2>&1 || vswitchd_start "$T/h2/ovs" >/dev/null
holds

# ---- a migration that fails after the destination's QEMU started ----

nic_plug h2 client
PLUGGED=$out
lvsh h1 dumpxml --migratable "$NAME" >"$T/migratable.xml"
cs_rewrite "$T/migratable.xml" "$T/dest.xml" "$(cs_mapping "$PLUGGED")"
log0=$(hook_log h2 | wc -l)
(mig_migrate h1 h2 "$BANDWIDTH"; echo "$MIGRATE_STATUS" >"$T/mig.status"; printf '%s\n' "$MIGRATE_OUT" >"$T/mig.out") &
mig_pid=$!
bound=no
for ((i = 0; i < 200; i++)); do
    qpid=$(domain_qemu_pid h2 "$NAME")
    [[ -n $qpid ]] && owner_of h2 "$MAC" | grep -q "vm:$VM" && bound=yes && break
    sleep 0.1
done
[[ -n $qpid ]] && kill -9 "$qpid"
wait "$mig_pid"
check "h2's QEMU for the incoming VM started (pid ${qpid:-none}), its port bound ($bound), and was killed" \
    test -n "$qpid" -a "$bound" = yes
check "h1 -> h2, h2's QEMU killed after it started: the migration fails, the VM runs on at h1" \
    test "$(cat "$T/mig.status") $(domain_state h1 "$NAME")" != "0 running" -a "$(domain_state h1 "$NAME")" = running
check "... h2's port, bound when its QEMU started, is gone: the hook's release end removed it" \
    test "$(ports_on h2)|$(hook_log h2 | tail -n +"$((log0 + 1))" | grep -c "$NAME release end .*: removed csdpdk-")" = "|1"
check "... and so is QEMU's socket there" test "$(sockets_in h2)" = ""
holds

# ---- QEMU killed ----

sock=$(lvsh h1 dumpxml "$NAME" | grep -o "path='[^']*'" | head -1)
kill -9 "$(domain_qemu_pid h1 "$NAME")"
for ((i = 0; i < 100; i++)); do
    [[ $(domain_state h1 "$NAME") == "shut off" ]] && break
    sleep 0.1
done
check "h1: QEMU killed with SIGKILL: the VM's port is gone" test "$(ports_on h1)" = ""
check "... and the socket directory holds nothing of it (QEMU's socket, $sock)" test "$(sockets_in h1)" = ""
holds

# ---- the hook under load ----

# LOAD small domains (64 MiB, started paused: the hook is what is loaded),
# each with one NIC whose port was plugged by NIC; started at once,
# destroyed at once.
nics=$(for ((i = 1; i <= LOAD; i++)); do
    printf '{"mac": "52:54:00:73:%02x:01", "bridge": "%s", "uuid": "00000000-0000-4000-8000-000000073%03d"}\n' \
        "$i" "$HOST_BRIDGE" "$i"
done | jq -sc .)
hrun h2 plug <<<"$(jq -c --argjson nics "$nics" '.nics = $nics | del(.vm) | del(.domain_xml)' <<<"$(vm_request server)")"
check "h2: $LOAD NICs' ports plugged in one request" test "$status $(jqo '.result.ports | length')" = "0 $LOAD"
for ((i = 1; i <= LOAD; i++)); do
    n=$(printf %03d "$i")
    GUEST_MEMORY_MIB=64 guest_domain_xml "load$n" "$(host_sockdir h2)/$(jqo ".result.ports[$((i - 1))].port")" client \
        "$(printf '52:54:00:73:%02x:01' "$i")" "/var/log/libvirt/qemu/load$n.console" |
        sed "s|</name>|</name><uuid>00000000-0000-4000-8000-000000074$n</uuid>|" >"$T/load$n.xml"
    lvsh h2 define "$T/load$n.xml" >/dev/null
done
# How long each run takes, measured outside the hook: for these runs h2's
# qemu.d/csdpdk is a wrapper (a test's, never shipped) that times the hook's
# whole process, from its own start to the hook's exit (libvirtd's fork and
# exec of the wrapper aside), and logs "OPERATION MS".
WALL=$T/h2/hook-wall.log
: >"$WALL"
HOOK_LINK=$T/h2/lv/etc/hooks/qemu.d/csdpdk
REAL_HOOK=$(readlink "$HOOK_LINK")
printf '%s\n' '#!/bin/bash' \
    "s=\$(date +%s%N); '$REAL_HOOK' \"\$@\"; rc=\$?; e=\$(date +%s%N)" \
    "echo \"\$2 \$(((e - s) / 1000000))\" >>'$WALL'; exit \$rc" >"$T/h2/hook-timed"
chmod +x "$T/h2/hook-timed"
ln -sfn "$T/h2/hook-timed" "$HOOK_LINK"
lines0=$(hook_log h2 | wc -l)
t1=$(lv_now)
pids=()
for ((i = 1; i <= LOAD; i++)); do lvsh h2 start --paused "load$(printf %03d "$i")" >/dev/null 2>&1 & pids+=($!); done
wait "${pids[@]}"
bound=$(hrun h2 status <<<'{}'; jqo '[.result.ports[] | select(.owned_by == "vm" and (.owner | startswith("00000000-0000-4000-8000-000000074")))] | length')
check "$LOAD domains started at once ($(lv_since "$t1") s): each port bound to its VM" \
    test "$(lvsh h2 list --state-paused --name | grep -c load)|$bound" = "$LOAD|$LOAD"
t1=$(lv_now)
pids=()
for ((i = 1; i <= LOAD; i++)); do lvsh h2 destroy "load$(printf %03d "$i")" >/dev/null 2>&1 & pids+=($!); done
wait "${pids[@]}"
check "... destroyed at once ($(lv_since "$t1") s): every port removed, none left, none lost" \
    test "$(port_count h2)" = 0
longest=$(hook_log h2 | tail -n +"$((lines0 + 1))" | grep -o '([0-9]* ms)$' | tr -dc '0-9\n' | sort -n | tail -1)
runs=$(hook_log h2 | tail -n +"$((lines0 + 1))" | grep -cE 'load[0-9]+ (prepare begin|release end)')
check "... the hook ran $runs times for them (bind and release), the longest ${longest:-?} ms, within its 10 s timeout" \
    test "$runs" -ge $((2 * LOAD)) -a "${longest:-99999}" -lt 10000
check "... and never gave up on its timeout" test "$(hook_lines h2 'gave up')" = 0
ln -sfn "$REAL_HOOK" "$HOOK_LINK"
wall=$(awk '$1 == "prepare" || $1 == "release" { n++; if ($2 > m) m = $2 } END { printf "%d %d", n, m }' "$WALL")
check "... each run took at most ${wall#* } ms timed outside the hook, from a wrapper's start to the hook's exit (${wall% *} prepare and release runs), within the 10 s timeout" \
    test "${wall% *}" -ge $((2 * LOAD)) -a "${wall#* }" -lt 10000
holds

done_testing
