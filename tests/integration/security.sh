#!/usr/bin/env bash
# Security regressions, each a named test, through the real binary. The
# details reach csdpdk from an admin and, through CloudStack's VM
# extraconfig, sometimes from a tenant; CloudStack's own extraconfig path
# had CVE-2024-29008 (host disks and PCI devices through extra
# configuration) and its agent CVE-2024-38346 (command injection). csdpdk
# runs as root: none of that may pass, and bad input changes nothing.
. "$(dirname "$0")/../lib/harness.sh"

ovsdb_start "$T/ovs" || { fail "start ovsdb-server" "$(cat "$T/ovs/stderr.log")"; done_testing; exit; }
add_bridge br0
SOCKDIR=$T/sock
mkdir -p "$SOCKDIR"
agent_properties "$T/agent.properties" "$SOCKDIR"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default)
VM=$(uuid_for 1) MAC=$(mac_for 1 1)
SHARED="<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB' memAccess='shared'/></numa></cpu>"
HUGE="<memoryBacking><hugepages/></memoryBacking>"

# plug_with KEY VALUE: a plug request whose details carry KEY=VALUE (not
# encoded) beside valid snippets; KEY may replace one of them.
plug_with() {
    jq -cn --arg vm "$VM" --arg mac "$MAC" --arg k "$1" --arg v "$2" --arg n "$SHARED" --arg h "$HUGE" \
        '{vm: {uuid: $vm}, nics: [{mac: $mac, bridge: "br0"}],
          details: {encoding: "none", vm: ({"extraconfig-dpdk-numa": $n, "extraconfig-dpdk-hugepages": $h} + {($k): $v})}}'
}
before=$(db_size)
# refused NAME CODE KEY VALUE: plug refuses it with CODE (exit 65) and
# OVSDB is unchanged.
refused() {
    local name=$1 code=$2
    run "${C[@]}" plug <<<"$(plug_with "$3" "$4")"
    check "$name: refused ($code, exit 65), nothing written" \
        test "$status $(jqo .error.code) $(db_size)" = "65 $code $before"
}

# ---- CVE-2024-29008: devices through extra configuration ----
refused "a <hostdev> (a host PCI device) in the NUMA snippet" forbidden_xml extraconfig-dpdk-numa \
    "<cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB' memAccess='shared'/></numa><hostdev mode='subsystem' type='pci'/></cpu>"
refused "a <disk> (a host disk) after the hugepages" forbidden_xml extraconfig-dpdk-hugepages \
    "<memoryBacking><hugepages/></memoryBacking><disk type='block'><source dev='/dev/sda'/></disk>"
refused "a <devices> block at the top level" forbidden_xml extraconfig-dpdk-hugepages \
    "<devices><hostdev mode='subsystem' type='pci'/></devices>"
refused "a qemu:commandline, its namespace declared" forbidden_xml extraconfig-dpdk-numa \
    "<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:arg value='-device'/></qemu:commandline>"
refused "close-tag injection: </memoryBacking><devices>…<memoryBacking>" invalid_xml extraconfig-dpdk-hugepages \
    "</memoryBacking><devices><disk/></devices><memoryBacking>"
refused "an interface extra that names a host file (<rom file>)" forbidden_xml extraconfig-dpdk-interface-x \
    "<rom file='/etc/shadow'/>"
refused "an interface extra that runs a script (<script path>)" forbidden_xml extraconfig-dpdk-interface-x \
    "<script path='/tmp/x.sh'/>"

# The rendered domain never carries what the details could not.
run "${C[@]}" render <<<"$(jq -c --arg d "<domain type='kvm'><name>v</name><memory>1048576</memory><devices><hostdev mode='subsystem' type='usb'/></devices></domain>" \
    '.domain_xml = $d | .nics[0].port = "csdpdk-1"' <<<"$(plug_with DPDK-VHOSTUSER client)")"
check "render keeps the agent's own devices and adds only the vhost-user interface" \
    test "$status $(jqo '.result.domain_xml' | grep -o '<hostdev' | wc -l) $(jqo '.result.domain_xml' | grep -o '<interface' | wc -l)" = "0 1 1"

# ---- XML entities: nothing expanded, nothing opened, nothing fetched ----
echo "csdpdk-marker-$$" > "$T/secret"
xxe_file="<!DOCTYPE m [<!ENTITY x SYSTEM 'file://$T/secret'>]><memoryBacking>&x;<hugepages/></memoryBacking>"
xxe_net="<!DOCTYPE m [<!ENTITY x SYSTEM 'http://127.0.0.1:9/x'>]><memoryBacking>&x;<hugepages/></memoryBacking>"
bomb="<!DOCTYPE b [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'><!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>]><memoryBacking><hugepages/>&f;</memoryBacking>"
param="<!DOCTYPE m [<!ENTITY % p SYSTEM 'file://$T/secret'> %p;]><memoryBacking><hugepages/></memoryBacking>"
for case in "an external entity naming a file:xxe_file" "an external entity naming a URL:xxe_net" \
            "a billion laughs (entity expansion):bomb" "a parameter entity naming a file:param"; do
    name=${case%%:*} var=${case##*:}
    strace -f -qq -e trace=openat,open,connect,socket -o "$T/strace" \
        "$CSDPDK" decode <<<"$(jq -cn --arg h "${!var}" --arg n "$SHARED" '{encoding: "none", vm: {"extraconfig-dpdk-hugepages": $h, "extraconfig-dpdk-numa": $n}}')" \
        >"$T/out" 2>/dev/null
    status=$? out=$(cat "$T/out")
    check "$name: refused (exit 65)" test "$status $(jqo .ok)" = "65 false"
    check "... and under strace csdpdk neither opens the entity's file nor makes a socket" \
        bash -c '! grep -q "secret" "$1" && ! grep -qE "^[0-9]+ +(socket|connect)\(" "$1"' _ "$T/strace"
done

# ---- Shell and option injection in names, bridges, VLANs ----
injected=('br0; touch PWNED' '$(touch PWNED)' '`touch PWNED`' '--may-exist' '-- add-br x' 'br0 && id' $'br0\nx')
for b in "${injected[@]}"; do
    run "${C[@]}" plug <<<"$(jq -cn --arg vm "$VM" --arg mac "$MAC" --arg b "$b" --arg n "$SHARED" --arg h "$HUGE" \
        '{vm: {uuid: $vm}, nics: [{mac: $mac, bridge: $b}], details: {encoding: "none", vm: {"extraconfig-dpdk-numa": $n, "extraconfig-dpdk-hugepages": $h}}}')"
    check "bridge $(printf '%q' "$b"): invalid_request, nothing written" \
        test "$status $(jqo .error.code) $(jqo .error.field) $(db_size)" = "65 invalid_request nics[0].bridge $before"
done
# The VLAN goes in as raw JSON text (jq would turn 1e3 into 1000).
for v in '"1; reboot"' '"--"' '"100 -- add-br x"' '1e3' '-1' '"$(id)"' '4095' '1.5'; do
    run "${C[@]}" plug <<<"$(plug_with DPDK-VHOSTUSER server | sed "s/\"bridge\":\"br0\"/&,\"vlan\":${v//\"/\\\"}/")"
    check "VLAN $v: invalid_vlan, nothing written" test "$status $(jqo .error.code) $(db_size)" = "65 invalid_vlan $before"
done
for p in 'csdpdk-1; id' '--all' 'csdpdk-1 -- del-br br0' '../csdpdk-1' 'csdpdk-$(id)'; do
    run "${C[@]}" unplug <<<"$(jq -cn --arg p "$p" '{ports: [$p]}')"
    check "unplug port $(printf '%q' "$p"): invalid_port_name, nothing removed" \
        test "$status $(jqo .error.code) $(db_size)" = "65 invalid_port_name $before"
done
check "no file named PWNED anywhere csdpdk ran (no shell ran)" \
    bash -c '! ls "$1"/PWNED PWNED 2>/dev/null' _ "$T"

# ---- Socket paths outside the directory ----
X="<domain type='kvm'><name>v</name><memory>1048576</memory><devices><interface type='vhostuser'><mac address='$MAC'/><source type='unix' path='$SOCKDIR/csdpdk-1' mode='client'/><model type='virtio'/></interface></devices></domain>"
for m in "path:/run/../etc:invalid_request" "path:run/ovs:invalid_request" "port:../../etc/x:invalid_port_name" \
         "port:csdpdk-1/../../x:invalid_port_name"; do
    IFS=: read -r what value code <<<"$m"
    run migrate-rewrite <<<"$(jq -cn --arg d "$X" --arg mac "$MAC" --arg w "$what" --arg v "$value" \
        '{domain_xml: $d, mapping: {($mac): ({path: "/run/ovs", port: "csdpdk-2", mode: "server"} + {($w): $v})}}')"
    check "migrate-rewrite with $what $value: $code" test "$status $(jqo .error.code)" = "65 $code"
done
# The socket directory replaced by a symbolic link between two plugs.
run "${C[@]}" plug <<<"$(plug_with DPDK-VHOSTUSER client)"
check "a client-mode plug into the socket directory" test "$status $(jqo '.result.ports[0].socket')" = "0 $SOCKDIR/csdpdk-1"
after_first=$(db_size)
mv "$SOCKDIR" "$T/real-sock" && mkdir "$T/elsewhere" && ln -s "$T/elsewhere" "$SOCKDIR"
run "${C[@]}" plug <<<"$(plug_with DPDK-VHOSTUSER client | jq -c --arg m "$(mac_for 1 2)" '.nics[0].mac = $m')"
check "then the directory is a symbolic link: the next plug is refused, naming the setting" \
    test "$status $(jqo .error.code) $(jqo .error.field) $(db_size)" = "65 invalid_request agent.properties:openvswitch.dpdk.ovs.path $after_first"
check "... and OVS was not pointed at the link's target" \
    bash -c '! grep -q elsewhere <<<"$1"' _ "$(vsctl --bare --columns=options list Interface)"
rm "$SOCKDIR" && mv "$T/real-sock" "$SOCKDIR"
# Its permissions changed between two plugs (QEMU's user, daemon here, can
# no longer create the VM's sockets in it): plug still points OVS inside
# the directory only, and capabilities names the problem and its fix, so
# the agent stops reporting the host as DPDK-capable.
mode=$(stat -c %a "$SOCKDIR")
QEMU_DAEMON=(--qemu-conf "$(dirname "$0")/../data/qemu.conf/daemon.conf")
chmod 0777 "$SOCKDIR"
run "${C[@]}" "${QEMU_DAEMON[@]}" capabilities
check "a socket directory of mode 0777: capabilities finds it usable" \
    test "$(jqo '.result.checks[] | select(.id == "socket_dir") | .status')" = ok
chmod 0700 "$SOCKDIR"
run "${C[@]}" plug <<<"$(plug_with DPDK-VHOSTUSER client | jq -c --arg m "$(mac_for 1 3)" '.nics[0].mac = $m')"
check "then its permissions change (0700): the next plug points OVS inside the directory only" \
    bash -c '[[ $1 == 0 && $(grep -c vhost-server-path <<<"$3") -ge 2 ]] && ! grep -v "vhost-server-path=\"\?$2/csdpdk-[0-9]*\"\?\$" <<<"$3" | grep -q vhost-server-path' _ \
    "$status" "$SOCKDIR" "$(vsctl --bare --columns=options list Interface | tr ' ' '\n' | grep vhost-server-path)"
run "${C[@]}" "${QEMU_DAEMON[@]}" capabilities
check "... and capabilities says socket_dir_not_writable, with the fix" \
    test "$(jqo '.result.checks[] | select(.id == "socket_dir") | "\(.code) \(.fix != null)"')" = "socket_dir_not_writable true"
chmod "$mode" "$SOCKDIR"

# ---- Sizes: a request of 100 MiB, one nested 10,000 deep ----
# The functional bound (what csdpdk reads and what it holds) is asserted;
# the time is only printed (speed is the benchmarks' business).
big_read=$( { head -c 104857600 /dev/zero | tr '\0' ' '; } |
    /usr/bin/time -f '%e s, %M KiB' -o "$T/time" strace -qq -e trace=read -e signal=none -o "$T/reads" \
        "$CSDPDK" decode 2>/dev/null | jq -r .error.code)
read_bytes=$(awk -F'= ' '/^read\(0,/ { s += $NF } END { print s + 0 }' "$T/reads")
check "a 100 MiB request: refused as too large ($big_read) after reading $read_bytes bytes of it (1 MiB + 1 and stdio's buffer at most; $(tail -1 "$T/time" | cut -d, -f1) under strace)" \
    bash -c '[[ $1 == invalid_request ]] && (($2 <= 1048577 + 65536))' _ "$big_read" "$read_bytes"
deep=$(python3 -c 'print("{\"vm\": " + "[" * 10000 + "]" * 10000 + "}")')
/usr/bin/time -f '%e s, %M KiB' -o "$T/time" "$CSDPDK" decode <<<"$deep" >"$T/out" 2>/dev/null
status=$? out=$(cat "$T/out")
rss=$(tail -1 "$T/time" | awk '{ print $3 }')
check "a request nested 10,000 deep: invalid_json (exit 65), within 32 MiB ($(tail -1 "$T/time") RSS)" \
    bash -c '[[ $1 == "65 invalid_json" ]] && (($2 < 32768))' _ "$status $(jqo .error.code)" "$rss"
done_testing
