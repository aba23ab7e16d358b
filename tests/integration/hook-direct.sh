#!/usr/bin/env bash
# csdpdk-libvirt-hook run directly, as libvirt runs it (arguments, the
# domain's XML on stdin), against a private ovsdb-server and a real DPDK
# ovs-vswitchd, with domains written for each case: every operation it
# leaves alone; bind and adopt at prepare begin; migrate begin's output
# byte for byte when nothing is wrong, its corrections, and a refusal for
# each check with the one line libvirt shows; release end; the timeout;
# broken settings. Fast, so that it also runs on the ASan+UBSan build
# (tests/integration/hook.sh runs the hook inside real libvirtd).
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"

HOOK=${HOOK_BIN:-$(dirname "$CSDPDK")/csdpdk-libvirt-hook}
DATA=$(realpath "$(dirname "$0")/../data")
vswitchd_available || { skip "the hook against a real OVS-DPDK" "$DPDK_UNAVAILABLE"; done_testing; exit; }

ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge cloudbr0
vsctl add-br br-kernel -- set Bridge br-kernel datapath_type=netdev-not
vsctl set Open_vSwitch . other_config:vhost-sock-dir=vhost
SOCK=$T/ovs/vhost
mkdir -p "$SOCK"
agent_properties "$T/agent.properties" "$SOCK"
vswitchd_start "$T/ovs" || { fail "start ovs-vswitchd-dpdk"; done_testing; exit; }
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties")
LOG=$T/hook.log
conf() {
    printf '%s\n' "ovsdb = $DB" "agent-properties = $T/agent.properties" "log = $LOG" \
        "sysfs = ${1:-$DATA/sysfs/one-node}" "proc = $DATA/proc/hugetlbfs" "timeout = ${2:-5}" >"$T/hook.conf"
}
conf

# hook NAME OP SUBOP [EXTRA] < XML: runs the hook; sets $out, $err, $status.
hook() {
    local o e
    o=$(mktemp "$T/out.XXXXXX") e=$(mktemp "$T/err.XXXXXX")
    "$HOOK" --config "$T/hook.conf" "$1" "$2" "$3" "${4:--}" >"$o" 2>"$e"
    status=$?
    out=$(cat "$o") err=$(cat "$e")
    cp "$o" "$T/last.out"
    rm -f "$o" "$e"
}

VM1=$(uuid_for 1) VM2=$(uuid_for 2)
# domain NAME UUID "MAC PATH MODE [reconnect]"...: a domain as libvirt hands
# it to the hook; hugepages when HUGE=1, its memory bound to node
# $NUMATUNE when set.
domain() {
    local name=$1 uuid=$2 i mac path mode rc
    shift 2
    printf "<domain type='kvm' id='7'>\n  <name>%s</name>\n  <uuid>%s</uuid>\n  <memory unit='KiB'>%s</memory>\n" "$name" "$uuid" "${MEMORY_KIB:-1048576}"
    [[ ${HUGE:-0} == 1 ]] && printf "  <memoryBacking>\n    <hugepages/>\n  </memoryBacking>\n"
    [[ -n ${NUMATUNE:-} ]] && printf "  <numatune>\n    <memory mode='strict' nodeset='%s'/>\n  </numatune>\n" "$NUMATUNE"
    printf "  <devices>\n"
    for i in "$@"; do
        read -r mac path mode rc <<<"$i"
        printf "    <interface type='vhostuser'>\n      <mac address='%s'/>\n      <source type='unix' path='%s' mode='%s'" "$mac" "$path" "$mode"
        if [[ -n $rc ]]; then printf ">\n        <reconnect enabled='yes' timeout='1'/>\n      </source>\n"; else printf "/>\n"; fi
        printf "      <target dev='%s'/>\n      <model type='virtio'/>\n    </interface>\n" "${path##*/}"
    done
    printf "  </devices>\n</domain>\n"
}
ids() { vsctl --columns=name,external_ids list Interface | sort; }
nic_req() {
    jq -nc --arg mac "$1" --arg nic "$2" --arg mode "$3" --arg numa "$NUMA" --arg huge "$HUGEPAGES" \
        '{nics: [{mac: $mac, bridge: "cloudbr0", uuid: $nic}],
          details: {encoding: "none", vm: {"DPDK-VHOSTUSER": $mode, "extraconfig-dpdk-numa": $numa,
                                           "extraconfig-dpdk-hugepages": $huge}}}'
}

hook_out=$("$HOOK" --help)
check "--help says what it does at each operation" grep -q 'release end' <<<"$hook_out"
hook_err=$("$HOOK" vm1 prepare begin 2>&1 </dev/null >/dev/null)
check "three arguments: usage on stderr, exit 0 (a non-zero exit at reconnect kills the VM)" \
    test "$? $(grep -c '^usage: ' <<<"$hook_err")" = "0 1"
# (an operation the hook ignores: neither settings nor log are read)
hook_out=$("$HOOK" --help start begin - 2>/dev/null </dev/null)
check "libvirt's four arguments are never options: a domain named --help gets no usage on stdout, exit 0" \
    test "$?|$hook_out" = "0|"

# Ports: csdpdk-1 a NIC's (client mode), csdpdk-2 CloudStack's (server).
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:01:01 00000000-0000-4000-8000-0000000001a1 client)"
# A plug by NIC again after gc's hour stamps the port anew (it is handed out
# for a start again); within the hour it writes nothing.
plugged_long_ago csdpdk-1
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:01:01 00000000-0000-4000-8000-0000000001a1 client)"
stamp=$(plug_stamp csdpdk-1)
check "a plug by NIC of its port stamped over an hour ago: created false, stamped anew" \
    test "$status $(jqo '.result.ports[0].created') $(($(date +%s) - ${stamp:-0} < 60))" = "0 false 1"
bash "$(dirname "$0")/../bench/cloudstack-plug.sh" "$DB" cloudbr0 "$SOCK" dpdkvhostuser "" >/dev/null
vswitchd_sync
D1=$(domain vm1 "$VM1" "02:00:00:00:01:01 $SOCK/csdpdk-1 server" "02:00:00:00:02:01 $SOCK/csdpdk-2 client reconnect")

before=$(ids)
for op in "start begin" "stopped end" "reconnect begin" "attach begin" "restore begin" "migrate end" "release begin" "prepare end" "started end"; do
    read -r o s <<<"$op"
    hook vm1 "$o" "$s" <<<"$D1"
    [[ $status == 0 && -z $out && -z $err ]] || break
done
check "every other operation: exit 0, nothing on stdout or stderr" test "$status|$out|$err" = "0||"
check "... OVSDB unchanged, nothing logged" test "$(ids)|$(cat "$LOG" 2>/dev/null)" = "$before|"

hint() { vsctl get Open_vSwitch . external_ids:csdpdk-next-port | tr -d '"'; }
hint0=$(hint)
hook vm1 prepare begin <<<"$D1"
check "prepare begin: exit 0, silent" test "$status|$out|$err" = "0||"
check "... csdpdk's naming hint moves past the CloudStack port it adopts (from $hint0 to 3), with the tags" \
    test "$hint0|$(hint)" = "2|3"
check "... binds the NIC's port to the VM and adopts CloudStack's, both marked running" \
    test "$(vsctl get Interface csdpdk-1 external_ids:vm-id)|$(vsctl get Interface csdpdk-2 external_ids:vm-id external_ids:attached-mac | tr '\n' ' ')|$(vsctl get Port csdpdk-2 external_ids:csdpdk-instance | cut -c1-9)" = \
    "\"$VM1\"|\"$VM1\" \"02:00:00:00:02:01\" |\"running:"
check "... and says so in its log" grep -q "vm1 prepare begin -: 02:00:00:00:01:01: bound csdpdk-1; 02:00:00:00:02:01: adopted csdpdk-2 ([0-9]* ms)" "$LOG"
before=$(ids)
hook vm1 started begin <<<"$D1"
check "started begin: the same, found done: OVSDB unchanged, and its log says there was nothing to do" \
    test "$status|$(ids)|$(tail -n 1 "$LOG" | grep -c 'vm1 started begin -: nothing to bind: 2 vhost-user interfaces, no port of csdpdk.s to change')" = "0|$before|1"
hook vm2 prepare begin <<<"$(domain vm2 "$VM2" "02:00:00:00:02:01 $SOCK/csdpdk-2 client")"
check "prepare begin of another VM on vm1's port: exit 0, the port left alone, logged" \
    test "$status|$(vsctl get Interface csdpdk-2 external_ids:vm-id)|$(tail -n 1 "$LOG" | grep -c "csdpdk-2 is VM $VM1's, left alone")" = "0|\"$VM1\"|1"
# A CloudStack port that another tool tagged for another MAC: as adopt
# judges it, ambiguous; the hook leaves it alone.
P=$(bash "$(dirname "$0")/../bench/cloudstack-plug.sh" "$DB" cloudbr0 "$SOCK" dpdkvhostuser "")
vsctl set Interface "$P" external_ids:attached-mac=02:00:00:00:0a:99
vswitchd_sync
before=$(ids)
hook vm3 prepare begin <<<"$(domain vm3 00000000-0000-4000-8000-0000000000a3 "02:00:00:00:0a:01 $SOCK/$P client")"
check "prepare begin on CloudStack's $P tagged for another MAC: exit 0, the port left alone, logged" \
    test "$status|$(ids)|$(tail -n 1 "$LOG" | grep -c "$P is not csdpdk's and is tagged for MAC 02:00:00:00:0a:99; left alone")" = "0|$before|1"
vsctl del-port "$P"

# ---- migrate begin ----

# Incoming ports: csdpdk-3 (server mode), csdpdk-4 (client), the NICs' of VM2.
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:03:01 00000000-0000-4000-8000-0000000003a1 server)"
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:04:01 00000000-0000-4000-8000-0000000004a1 client)"
GOOD=$(HUGE=1 domain vm2 "$VM2" "02:00:00:00:03:01 $SOCK/csdpdk-3 client reconnect" "02:00:00:00:04:01 $SOCK/csdpdk-4 server")
printf '%s\n' "$GOOD" >"$T/good.xml"
hook vm2 migrate begin <"$T/good.xml"
check "migrate begin, a domain this host can take: exit 0, the domain on stdout byte for byte" \
    bash -c '[[ $1 == 0 && -z $2 ]] && cmp -s "$3" "$4"' _ "$status" "$err" "$T/last.out" "$T/good.xml"
check "... logged as accepted" grep -q "vm2 migrate begin -: accepted the incoming VM $VM2: 2 vhost-user port(s) ready" "$LOG"

# CloudStack's rewrite: "//", and <reconnect> kept where QEMU became the
# socket's server, none where it became the client.
CS=$(HUGE=1 domain vm2 "$VM2" "02:00:00:00:03:01 $SOCK//csdpdk-3 client" "02:00:00:00:04:01 $SOCK//csdpdk-4 server reconnect")
hook vm2 migrate begin <<<"$CS"
check "migrate begin of CloudStack's rewrite: exit 0, the domain corrected" test "$status|$err" = "0|"
check "... socket paths with one '/', <reconnect> on the client only, the rest as it came" \
    python3 - "$T/last.out" "$SOCK" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ifs = root.findall("./devices/interface")
s = [i.find("source") for i in ifs]
ok = ([x.get("path") for x in s] == [sys.argv[2] + "/csdpdk-3", sys.argv[2] + "/csdpdk-4"]
      and s[0].find("reconnect") is not None and s[1].find("reconnect") is None
      and [i.find("target").get("dev") for i in ifs] == ["csdpdk-3", "csdpdk-4"]
      and root.get("id") == "7" and root.find("memoryBacking/hugepages") is not None)
sys.exit(0 if ok else 1)
PY
check "... logged" grep -q "corrected 4 socket path(s) or reconnect setting(s)" "$LOG"

# refused DESCRIPTION CHECK XML: exit 1, stdout empty, one line on stderr
# naming CHECK.
refused() {
    hook vm2 migrate begin <<<"$3"
    if [[ $status == 1 && -z $out && $err == "csdpdk refused the incoming migration: $2: "* && $(wc -l <<<"$err") == 1 ]]; then
        ok "migrate begin, $1: refused, exit 1, one line on stderr naming '$2': ${err#*: }"
    else
        fail "migrate begin, $1: refused naming '$2'" "status $status" "stdout $out" "stderr $err"
    fi
}
refused "no port for a socket" port "$(domain vm2 "$VM2" "02:00:00:00:03:01 $SOCK/csdpdk-99 client reconnect")"
refused "another VM's port" owner "$(domain vm2 "$VM2" "02:00:00:00:01:01 $SOCK/csdpdk-1 server")"
refused "a port for another MAC" mac "$(domain vm2 "$VM2" "02:00:00:00:09:01 $SOCK/csdpdk-3 client reconnect")"
refused "a port of the other mode" mode "$(domain vm2 "$VM2" "02:00:00:00:03:01 $SOCK/csdpdk-3 server")"
refused "a client-mode port whose socket is elsewhere" socket "$(domain vm2 "$VM2" "02:00:00:00:04:01 $T/csdpdk-4 server")"
vsctl add-port br-kernel csdpdk-5 -- set Interface csdpdk-5 type=dpdkvhostuser
refused "a port on a bridge that is not netdev" bridge "$(domain vm2 "$VM2" "02:00:00:00:05:01 $SOCK/csdpdk-5 client")"
# Free hugepages that cannot be read (sysfs misconfigured): a check that
# could not be made, so a refusal that removes nothing.
conf /nonexistent/sysfs
hook vm2 migrate begin <"$T/good.xml"
check "migrate begin with a sysfs that cannot be read: refused (exit 1), the cause named, the ports made for it kept" \
    test "$status|$out|$(grep -c '^csdpdk: cannot check this host for the incoming VM: hugepages: cannot read' <<<"$err")|$(vsctl list-ports cloudbr0 | tr '\n' ' ')" = \
    "1||1|csdpdk-1 csdpdk-2 csdpdk-3 csdpdk-4 "
conf "$DATA/sysfs/none-free"
refused "no free hugepage for the VM's memory" hugepages "$GOOD"
check "... the NICs' ports made for it and never bound are removed (nothing else would)" \
    test "$(vsctl list-ports cloudbr0 | tr '\n' ' ')" = "csdpdk-1 csdpdk-2 "
conf
refused "the same domain again: its ports are gone now" port "$GOOD"

# ---- release end ----

stale_socket "$SOCK/csdpdk-1"
hook vm1 release end - <<<"$D1"
check "release end: exit 0; removes the VM's ports, the bound and the adopted one" \
    test "$status|$(vsctl list-ports cloudbr0 | tr '\n' ' ')" = "0|"
check "... and the socket a killed QEMU left for the client-mode one" test ! -e "$SOCK/csdpdk-1"
check "... logged" grep -q "vm1 release end -: removed csdpdk-1, csdpdk-2; removed the socket QEMU left" "$LOG"
hook vm1 release end - <<<"$D1"
check "release end again: exit 0, nothing to do (the agent's own unplug may have come first)" test "$status" = 0

# A restart racing the release: plug hands the port out again (created:
# false) before the old run's release end.
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:06:01 00000000-0000-4000-8000-0000000006a1 server | jq -c --arg vm "$VM1" '.vm = {uuid: $vm}')"
D6=$(domain vm1 "$VM1" "02:00:00:00:06:01 $SOCK/csdpdk-6 client reconnect")
hook vm1 prepare begin <<<"$D6"
check "prepare begin marks the run on the port (running:)" \
    test "$(vsctl get Interface csdpdk-6 external_ids:csdpdk-instance | cut -c1-9)" = '"running:'
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:06:01 00000000-0000-4000-8000-0000000006a1 server | jq -c --arg vm "$VM1" '.vm = {uuid: $vm}')"
check "plug of a port marked running hands it out again (created false), marked plugged" \
    test "$(jqo '.result.ports[0].created')|$(vsctl get Interface csdpdk-6 external_ids:csdpdk-instance | cut -c1-9)" = 'false|"plugged:'
hook vm1 release end - <<<"$D6"
check "... the old run's release end leaves it to the new start, and says so" \
    test "$(vsctl list-ports cloudbr0)|$(tail -n 1 "$LOG" | grep -c 'kept csdpdk-6: plugged again')" = "csdpdk-6|1"
hook vm1 prepare begin <<<"$D6"
hook vm1 release end - <<<"$D6"
check "... the new run's own release end removes it" test "$(vsctl list-ports cloudbr0 | wc -l)" = 0

# The same races, made at failpoints (a build with them: the ASan+UBSan
# run of this suite; csdpdk and the hook each stopped half-way, SIGSTOP,
# while the other acts).
# stopped PID: waits (up to 20 s) until PID is stopped at its failpoint;
# one that never gets there is killed (a stop after its SIGCONT would
# leave wait hanging).
stopped() {
    local i
    for i in $(seq 400); do
        [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == T ]] && return 0
        sleep 0.05
    done
    kill -KILL "$1" 2>/dev/null
    return 1
}
if strings "$HOOK" | grep -q hook.release-judged && strings "$HOOK" | grep -q hook.refused-judged &&
    strings "$CSDPDK" | grep -q plug.before-retag &&
    strings "$CSDPDK" | grep -q adopt.judged; then
    conf "" 30 # the hook's watchdog counts while it is stopped
    VM1_REQ=$(nic_req 02:00:00:00:06:01 00000000-0000-4000-8000-0000000006a1 server | jq -c --arg vm "$VM1" '.vm = {uuid: $vm}')
    run "${C[@]}" plug <<<"$VM1_REQ"
    P6=$(jqo '.result.ports[0].port')
    D6=$(domain vm1 "$VM1" "02:00:00:00:06:01 $SOCK/$P6 client reconnect")
    hook vm1 prepare begin <<<"$D6"
    # The old run's release end has judged the port (marked running:, so
    # it goes) when a plug for the next start hands it out again.
    CSDPDK_FAILPOINT=hook.release-judged:stop "$HOOK" --config "$T/hook.conf" vm1 release end - \
        <<<"$D6" >/dev/null 2>&1 &
    pid=$!
    plugged="not stopped"
    if stopped "$pid"; then
        run "${C[@]}" plug <<<"$VM1_REQ"
        plugged="$status $(jqo '.result.ports[0].created')"
        kill -CONT "$pid"
    fi
    wait "$pid"
    check "release end stopped after judging, a plug for the next start meanwhile (exit 0, created false): the hook sees the retag, judges again, keeps $P6" \
        test "$plugged|$?|$(vsctl list-ports cloudbr0)|$(tail -n 1 "$LOG" | grep -c "kept $P6: plugged again")" = "0 false|0|$P6|1"
    hook vm1 prepare begin <<<"$D6"
    hook vm1 release end - <<<"$D6"
    # A plug for the next start has found the port (marked running:) when
    # the old run's release end removes it: the plug must not hand out a
    # port that is gone, nor tag it back to life.
    run "${C[@]}" plug <<<"$VM1_REQ"
    P6=$(jqo '.result.ports[0].port')
    D6=$(domain vm1 "$VM1" "02:00:00:00:06:01 $SOCK/$P6 client reconnect")
    hook vm1 prepare begin <<<"$D6"
    CSDPDK_FAILPOINT=plug.before-retag:stop "$CSDPDK" "${C[@]}" plug <<<"$VM1_REQ" >"$T/plug.out" 2>"$T/plug.err" &
    pid=$!
    if stopped "$pid"; then
        hook vm1 release end - <<<"$D6"
        kill -CONT "$pid"
    fi
    wait "$pid"
    status=$? out=$(cat "$T/plug.out") err=$(cat "$T/plug.err")
    check "plug stopped before tagging the port it found, the old run's release end removing it meanwhile: port_conflict (75), naming $P6, nothing left" \
        test "$(expect_error port_conflict 75 && echo y)|$(jqo .error.message | grep -c "port $P6 was removed while csdpdk tagged it")|$(vsctl list-ports cloudbr0 | wc -l)" = "y|1|0"
    run "${C[@]}" plug <<<"$VM1_REQ"
    check "... plug again: a new port (created true)" test "$status $(jqo '.result.ports[0].created')" = "0 true"
    run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}}"
    check "... unplugged" test "$status|$(vsctl list-ports cloudbr0 | wc -l)" = "0|0"
    # adopt has judged a NIC's port (to be bound to the domain that uses
    # it, its plug time dropped) when the agent's plug for that VM binds it
    # first, with a fresh plug time: adopt must not write over that.
    run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:06:01 00000000-0000-4000-8000-0000000006a1 server)"
    P6=$(jqo '.result.ports[0].port')
    printf "<node><domain type='test'><name>vm1</name><uuid>%s</uuid><memory>262144</memory><vcpu>1</vcpu><os><type>hvm</type></os><devices><interface type='vhostuser'><mac address='02:00:00:00:06:01'/><source type='unix' path='%s' mode='client'/><model type='virtio'/></interface></devices></domain></node>\n" \
        "$VM1" "$SOCK/$P6" >"$T/node.xml"
    CSDPDK_FAILPOINT=adopt.judged:stop "$CSDPDK" "${C[@]}" --libvirt "test://$T/node.xml" adopt --apply >"$T/adopt.out" 2>&1 &
    pid=$!
    plugged="not stopped"
    if stopped "$pid"; then
        run "${C[@]}" plug <<<"$VM1_REQ"
        plugged="$status $(jqo '.result.ports[0].port') $(vsctl get Interface "$P6" external_ids:csdpdk-plug-time 2>/dev/null | tr -d '"')"
        kill -CONT "$pid"
    fi
    wait "$pid"
    status=$? out=$(cat "$T/adopt.out")
    check "adopt stopped after judging $P6 a NIC's port to bind, the VM's plug binding it meanwhile: adopt judges again (exit 0, $P6 already csdpdk's, nothing tagged), the plug's time kept" \
        test "$status|$(jq -r --arg p "$P6" '[.result.tagged, (.result.ports[] | select(.port == $p) | .verdict)] | map(tostring) | join(" ")' <<<"$out")|${plugged% *} $(vsctl get Interface "$P6" external_ids:vm-id external_ids:csdpdk-plug-time 2>/dev/null | tr -d '"' | tr '\n' ' ')" \
        = "0|0 csdpdk|0 $P6 $VM1 ${plugged##* } "
    run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}}"
    check "... unplugged" test "$status|$(vsctl list-ports cloudbr0 | wc -l)" = "0|0"
    # An unplug by name has read its port when that port goes and a new one
    # is made for the same MAC (a Port's UUID comes from its MAC: the same
    # row UUID, another name): the old unplug must not remove the new port.
    run "${C[@]}" plug <<<"$VM1_REQ"
    P6=$(jqo '.result.ports[0].port')
    CSDPDK_FAILPOINT=ovsdb.before-commit:stop "$CSDPDK" "${C[@]}" unplug <<<"{\"ports\": [\"$P6\"]}" \
        >"$T/unplug.out" 2>&1 &
    pid=$!
    replugged="not stopped"
    if stopped "$pid"; then
        run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}}"
        run "${C[@]}" plug <<<"$VM1_REQ"
        replugged="$status $(jqo '.result.ports[0].port')"
        kill -CONT "$pid"
    fi
    wait "$pid"
    status=$? out=$(cat "$T/unplug.out")
    check "unplug of $P6 stopped before its commit, $P6 replaced meanwhile by a new port for its MAC (${replugged#* }): port_conflict (75), the new port kept" \
        test "$(expect_error port_conflict 75 && echo y)|${replugged%% *}|$(vsctl list-ports cloudbr0)" = "y|0|${replugged#* }"
    run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}}"
    check "... unplugged" test "$status|$(vsctl list-ports cloudbr0 | wc -l)" = "0|0"
    # A refused incoming VM: the hook has judged the NIC's port made for it
    # when the port is bound (its VM's tag written): every port stays.
    run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:0a:01 00000000-0000-4000-8000-00000000aa01 server)"
    PA=$(jqo '.result.ports[0].port')
    conf "$DATA/sysfs/none-free" 30
    CSDPDK_FAILPOINT=hook.refused-judged:stop "$HOOK" --config "$T/hook.conf" vm2 migrate begin - \
        <<<"$(HUGE=1 domain vm2 "$VM2" "02:00:00:00:0a:01 $SOCK/$PA client reconnect")" >/dev/null 2>&1 &
    pid=$!
    bound="not stopped"
    if stopped "$pid"; then
        vsctl set Interface "$PA" "external_ids:vm-id=$VM2" && bound=yes
        kill -CONT "$pid"
    fi
    wait "$pid"
    check "migrate begin refused (no free hugepage), stopped before removing $PA made for it, $PA bound meanwhile ($bound): exit 1, $PA kept, logged" \
        test "$bound|$?|$(vsctl list-ports cloudbr0)|$(tail -n 1 "$LOG" | grep -c 'kept the ports made for it: one was retagged or removed meanwhile')" = "yes|1|$PA|1"
    vsctl del-port "$PA"
    conf
elif [[ -n ${ASAN_OPTIONS:-} ]]; then
    # The ASan+UBSan run is where they run: a build without them is a defect.
    fail "the races made at failpoints: the ASan+UBSan build has its failpoints (hook.release-judged, hook.refused-judged, plug.before-retag, adopt.judged)"
else
    echo "# the races made at failpoints run in this suite's ASan+UBSan run (this build has no failpoints)"
fi

# A port a plug by VM made, whose run the hook never marked (installed
# after the VM started, say): gc's stamp (csdpdk-plug-time) is not a plug
# for a next start, and the release end removes the port.
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:07:01 00000000-0000-4000-8000-0000000007a1 server | jq -c --arg vm "$VM1" '.vm = {uuid: $vm}')"
P7=$(jqo '.result.ports[0].port')
check "... (plugged: stamped csdpdk-plug-time, no run marked)" \
    test "$status|$(plug_stamp "$P7" | grep -cE '^[0-9]{10}$')|$(vsctl get Interface "$P7" external_ids:csdpdk-instance 2>&1 | grep -c 'no key')" = "0|1|1"
hook vm1 release end - <<<"$(domain vm1 "$VM1" "02:00:00:00:07:01 $SOCK/$P7 client reconnect")"
check "a port plugged by VM (stamped csdpdk-plug-time), its run never marked: its release end removes it" \
    test "$status|$(vsctl list-ports cloudbr0 | wc -l)" = "0|0"

# A port of another name (an operator's own, made once: nothing would make
# it again for the VM's next start): left alone at start and at release.
vsctl add-port cloudbr0 vhu-1 -- set Interface vhu-1 type=dpdkvhostuserclient "options:vhost-server-path=$SOCK/sock-a"
vswitchd_sync
D8=$(domain vm8 "$(uuid_for 8)" "02:00:00:00:08:01 $SOCK//sock-a server")
hook vm8 prepare begin <<<"$D8"
check "prepare begin leaves an operator's port alone (vhu-1: not csdpdk-N), and says so" \
    test "$status|$(vsctl get Interface vhu-1 external_ids)|$(tail -n 1 "$LOG" | grep -c 'vhu-1 is not csdpdk.s nor CloudStack.s (csdpdk-N); left alone')" = "0|{}|1"
hook vm8 release end <<<"$D8"
check "... and so does release end" test "$status|$(vsctl list-ports cloudbr0)" = "0|vhu-1"
vsctl del-port vhu-1
# CloudStack's csdpdk-N whose socket is named otherwise: found by its
# vhost-server-path, adopted at start, removed at release.
vsctl add-port cloudbr0 csdpdk-88 -- set Interface csdpdk-88 type=dpdkvhostuserclient "options:vhost-server-path=$SOCK/sock-a"
vswitchd_sync
hook vm8 prepare begin <<<"$D8"
check "prepare begin adopts CloudStack's port found by its socket (csdpdk-88, socket sock-a, through '//')" \
    test "$(vsctl get Interface csdpdk-88 external_ids:vm-id external_ids:csdpdk-adopted >/dev/null && vsctl get Interface csdpdk-88 external_ids:vm-id)" = "\"$(uuid_for 8)\""
hook vm8 release end <<<"$D8"
check "... and release end removes it" test "$(vsctl list-ports cloudbr0 | wc -l)" = 0

# ---- a domain csdpdk cannot read, broken settings, the timeout ----

hook vm9 migrate begin <<<"<domain><devices>"
check "migrate begin of XML that does not parse: exit 0, as it came (libvirt says what is wrong)" \
    test "$status|$out" = "0|<domain><devices>"
# Over 64 MiB: not judged, nothing printed (libvirt keeps its own XML).
{ printf '<domain><description>'; head -c $((65 << 20)) /dev/zero | tr '\0' x; printf '</description></domain>\n'; } >"$T/huge.xml"
hook vm9 migrate begin <"$T/huge.xml"
check "migrate begin of a domain over 64 MiB: exit 0, nothing on stdout (libvirt keeps its XML), logged" \
    test "$status|$(wc -c <"$T/last.out")|$(tail -n 1 "$LOG" | grep -c 'larger than 64 MiB: left alone')" = "0|0|1"
rm -f "$T/huge.xml"
# A stdin left non-blocking, the domain written in two parts: read whole.
printf "<domain type='kvm'>\n  <name>vm9</name>\n  <uuid>%s</uuid>\n  <memory unit='KiB'>131072</memory>\n</domain>\n" "$(uuid_for 9)" >"$T/plain.xml"
python3 - "$HOOK" "$T/hook.conf" "$T/plain.xml" >"$T/split.out" <<'PY'
import os, subprocess, sys, time
data = open(sys.argv[3], "rb").read()
r, w = os.pipe()
os.set_blocking(r, False)
p = subprocess.Popen([sys.argv[1], "--config", sys.argv[2], "vm2", "migrate", "begin", "-"], stdin=r,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
os.close(r)
os.write(w, data[:40])
time.sleep(0.3)
os.write(w, data[40:])
os.close(w)
out = p.communicate()[0]
sys.stdout.buffer.write(out)
sys.exit(p.returncode)
PY
check "migrate begin with a non-blocking stdin, the domain in two writes: exit 0, the whole domain on stdout" \
    bash -c '[[ $1 == 0 ]] && cmp -s "$2" "$3"' _ "$?" "$T/split.out" "$T/plain.xml"
printf 'log = relative.log\n' >>"$T/hook.conf"
hook vm2 migrate begin <"$T/good.xml"
check "a relative log file in the settings is refused too" test "$status|$(grep -c 'log must be an absolute path' <<<"$err")" = "1|1"
conf
echo "socket-dir = /tmp" >>"$T/hook.conf"
hook vm2 migrate begin <"$T/good.xml"
check "broken settings: migrate begin refused, naming the line" \
    test "$status|$(grep -c "hook.conf:7: unknown key 'socket-dir'" <<<"$err")" = "1|1"
hook vm1 release end - <<<"$D1"
check "... any other operation goes on (exit 0), logged" \
    test "$status|$(tail -n 1 "$LOG" | grep -c "csdpdk's hook settings")" = "0|1"
lines0=$(wc -l <"$LOG")
domain vm3 "$(uuid_for 3)" >"$T/plain.xml"
printf '<domain type="kvm"><name>vm4</name><devices>' >"$T/unreadable.xml"
for f in plain unreadable; do
    hook "$f" migrate begin <"$T/$f.xml"
    check "... a domain without vhost-user interfaces ($f) migrates in all the same: exit 0, passed on byte for byte, not logged" \
        test "$status|$(cmp -s "$T/last.out" "$T/$f.xml" && echo same)|$(($(wc -l <"$LOG") - lines0))|$err" = "0|same|0|"
done

conf "" 1
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:07:01 00000000-0000-4000-8000-0000000007a1 client)"
kill -STOP "$(ovsdb_pid)"
t=$(date +%s%N)
# While it waits on OVSDB: SIGPIPE is ignored (bit 13 of SigIgn), so that a
# database or switch going away between two transactions is an error the
# hook handles, never a signal that kills it and fails the VM's start.
# (Started with SIGPIPE at its default, whatever this shell inherited.)
domain vm2 "$VM2" "02:00:00:00:07:01 $SOCK/csdpdk-7 server" |
    env --default-signal=PIPE "$HOOK" --config "$T/hook.conf" vm2 migrate begin - >"$T/last.out" 2>"$T/last.err" &
pid=$!
sigign=
for _ in $(seq 50); do
    sigign=$(awk '/^SigIgn:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    (((16#${sigign:-0} >> 12) & 1)) && break
    sleep 0.02
done
wait "$pid"
status=$? err=$(cat "$T/last.err")
ms=$((($(date +%s%N) - t) / 1000000))
check "the hook ignores SIGPIPE (SigIgn $sigign while it waits on OVSDB)" \
    test "$(((16#${sigign:-0} >> 12) & 1))" = 1
check "OVSDB stopped: migrate begin refused within the 1 s timeout ($ms ms), saying so" \
    test "$status|$((ms < 2500))|$(grep -c 'did not answer in time\|within 1 s' <<<"$err")" = "1|1|1"
t=$(date +%s%N)
hook vm2 release end <<<"$(domain vm2 "$VM2" "02:00:00:00:07:01 $SOCK/csdpdk-7 server")"
ms=$((($(date +%s%N) - t) / 1000000))
check "... release end gives up within it too ($ms ms), exit 0, logged" \
    test "$status|$((ms < 2500))|$(tail -n 1 "$LOG" | grep -c 'did not answer in time\|gave up')" = "0|1|1"
kill -CONT "$(ovsdb_pid)"
# libvirt never closes the hook's stdin: only the watchdog (the timeout and
# half a second) ends the run, whatever it waits for.
mkfifo "$T/never"
exec {never}<>"$T/never" # a writer that never writes nor closes
t=$(date +%s%N)
hook vm2 migrate begin <"$T/never"
ms=$((($(date +%s%N) - t) / 1000000))
check "stdin never ends: the watchdog refuses migrate begin after the 1 s timeout and its 0.5 s margin ($ms ms), saying so" \
    test "$status|$((ms >= 1400 && ms < 3000))|$(grep -c 'cannot check this host for the incoming VM within 1 s' <<<"$err")|$(tail -n 1 "$LOG" | grep -c 'gave up after 1 s (timeout): the incoming migration is refused')" = "1|1|1|1"
t=$(date +%s%N)
hook vm2 release end <"$T/never"
ms=$((($(date +%s%N) - t) / 1000000))
exec {never}>&-
check "... and lets release end go on (exit 0, $ms ms), logged" \
    test "$status|$((ms >= 1400 && ms < 3000))|$(tail -n 1 "$LOG" | grep -c 'gave up after 1 s (timeout)$')" = "0|1|1"
# Settings that never come (a FIFO nobody writes, as a settings file on a
# mount that hangs): they are read under the default timeout, 10 s; then
# the watchdog ends the run (the log is not open yet: stderr says it).
mkfifo "$T/settings-never"
t=$(date +%s%N)
capture timeout 30 "$HOOK" --config "$T/settings-never" vm2 migrate begin - </dev/null
ms=$((($(date +%s%N) - t) / 1000000))
check "settings that never come: the watchdog refuses migrate begin after the default 10 s and its margin ($ms ms), saying so" \
    test "$status|$((ms >= 10400 && ms < 20000))|$(grep -c 'cannot check this host for the incoming VM within 10 s' <<<"$err")" = "1|1|1"

# ---- NUMA at migrate begin ----

# Judged as plug judges it, with this switch's own PMDs (pmd-rxq-show).
conf
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:03:01 00000000-0000-4000-8000-0000000003a1 server)"
P3=$(jqo '.result.ports[0].port')
vsctl set Open_vSwitch . other_config:dpdk-extra=--legacy-mem other_config:dpdk-socket-mem=0
refused "the VM's memory bound to node 0, where the switch can have no DPDK memory (--legacy-mem, dpdk-socket-mem=0)" numa \
    "$(NUMATUNE=0 domain vm2 "$VM2" "02:00:00:00:03:01 $SOCK/$P3 client reconnect")"
check "... the NIC's port made for it is removed, as for any refusal" test "$(vsctl list-ports cloudbr0 | grep -c "^$P3$")" = 0
vsctl remove Open_vSwitch . other_config dpdk-extra dpdk-socket-mem
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:03:01 00000000-0000-4000-8000-0000000003a1 server)"
P3=$(jqo '.result.ports[0].port')
conf "$DATA/sysfs/two-nodes"
hook vm2 migrate begin <<<"$(NUMATUNE=1 domain vm2 "$VM2" "02:00:00:00:03:01 $SOCK/$P3 client reconnect")"
check "migrate begin of a VM bound to node 1 of a two-node host (sysfs) whose PMD polls on node 0: accepted (exit 0), the cross-NUMA warning in the log" \
    test "$status|$err|$(tail -n 1 "$LOG" | grep -c "accepted the incoming VM $VM2: 1 vhost-user port(s) ready; warning: OVS will poll cross-NUMA: node 1")" = "0||1"
conf
run "${C[@]}" unplug <<<"{\"ports\": [\"$P3\"]}"
check "... unplugged" test "$status|$(vsctl list-ports cloudbr0 | grep -c "^$P3$")" = "0|0"

# Ports CloudStack's stock driver made for the incoming VM (a host whose
# agent still has the stock VIF driver): not csdpdk's, disconnected,
# serving the domain's sockets; a refusal removes the one on a netdev
# bridge, not the one on br-kernel (csdpdk-5, the refusal's reason).
vsctl add-port cloudbr0 csdpdk-40 -- set Interface csdpdk-40 type=dpdkvhostuser
vswitchd_sync
for _ in $(seq 50); do [[ $(vsctl get Interface csdpdk-40 status:status 2>/dev/null) == *disconnected* ]] && break; sleep 0.1; done
refused "a domain on ports CloudStack's stock driver made for it, one on a bridge that is not netdev" bridge \
    "$(domain vm2 "$VM2" "02:00:00:00:40:01 $SOCK/csdpdk-40 client" "02:00:00:00:05:01 $SOCK/csdpdk-5 client")"
check "... csdpdk-40 is removed (not csdpdk's, disconnected, on a netdev bridge, serving the domain's socket); csdpdk-5, on br-kernel, stays" \
    test "$(vsctl list-ports cloudbr0 | grep -c '^csdpdk-40$')|$(vsctl list-ports br-kernel | grep -c '^csdpdk-5$')" = "0|1"

# A NIC's port never bound that a running QEMU uses (testpmd here: a VM of
# this host whose bind at its start failed, or one with the same MAC): a
# refused incoming VM with its MAC and socket leaves it alone, since the
# switch says it is connected.
run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:06:01 00000000-0000-4000-8000-0000000006a1 client)"
P6=$(jqo '.result.ports[0].port')
testpmd_start used "$SOCK/$P6" server || fail "testpmd on $P6"
link=
for _ in $(seq 100); do
    link=$(vsctl get Interface "$P6" status:status 2>/dev/null | tr -d '"')
    [[ $link == connected ]] && break
    sleep 0.1
done
conf "$DATA/sysfs/none-free"
refused "no free hugepage, for a VM whose NIC's port (never bound) a running QEMU uses" hugepages \
    "$(HUGE=1 domain vm2 "$VM2" "02:00:00:00:06:01 $SOCK/$P6 server")"
check "... $P6 is kept: the switch says it is $link" test "$link|$(vsctl list-ports cloudbr0 | grep -c "^$P6$")" = "connected|1"
conf
testpmd_stop used
run "${C[@]}" unplug <<<"{\"ports\": [\"$P6\"]}"
check "... unplugged" test "$status|$(vsctl list-ports cloudbr0 | grep -c "^$P6$")" = "0|0"

# Pages a running VM's QEMU reserved and has not touched yet, on this
# machine's own sysfs: a MAP_SHARED mapping of a hugetlbfs file reserves its
# pages at once (resv_hugepages), and free_hugepages still counts them.
if pages_reserve 150 && pages_set_free 150; then
    trap 'cleanup; pages_restore' EXIT
    run "${C[@]}" plug <<<"$(nic_req 02:00:00:00:07:01 00000000-0000-4000-8000-0000000007a1 client)"
    P7=$(jqo '.result.ports[0].port')
    VM7=$(MEMORY_KIB=262144 HUGE=1 domain vm2 "$VM2" "02:00:00:00:07:01 $SOCK/$P7 server")
    conf /sys
    hook vm2 migrate begin <<<"$VM7"
    check "migrate begin on this machine's sysfs, 150 pages of 2 MiB free, a VM of 128: accepted (exit 0)" \
        test "$status|$err" = "0|"
    mkdir -p "$T/huge"
    mkfifo "$T/holder.in"
    unshare -m --propagation private bash -c 'mount -t hugetlbfs -o pagesize=2M none "$1" && exec python3 -c "
import mmap, os, sys
size = int(sys.argv[2]) * 2 * 1024 * 1024
fd = os.open(sys.argv[1] + \"/vm\", os.O_CREAT | os.O_RDWR)
os.ftruncate(fd, size)
m = mmap.mmap(fd, size, mmap.MAP_SHARED)
print(\"mapped\", flush=True)
sys.stdin.read()
" "$1" "$2"' _ "$T/huge" 50 <"$T/holder.in" >"$T/holder.out" 2>&1 &
    daemon_pids+=("$!")
    exec {holder_fd}>"$T/holder.in"
    for _ in $(seq 100); do grep -q mapped "$T/holder.out" && break; sleep 0.1; done
    resv=$(cat "$HUGE_POOL/resv_hugepages")
    refused "150 pages free, $resv of them reserved by another mapping (a VM's memory not touched yet), a VM of 128" \
        hugepages "$VM7"
    check "... the detail says the reserved pages were taken off" grep -q "150 free (node 0: 150), $resv of them reserved by a mapping" <<<"$err"
    exec {holder_fd}>&-
    conf
    run "${C[@]}" unplug <<<"{\"ports\": [\"$P7\"]}"
else
    fail "reserve 150 hugepages of 2 MiB for the reserved-pages case"
fi

echo "# the hook's log:"
sed "s|$T|\$T|g; s/^/#   /" "$LOG"
done_testing
