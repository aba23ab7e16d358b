#!/usr/bin/env bash
# csdpdk's VIF driver in CloudStack's agent flows (docs/cloudstack-agent.md),
# against real daemons: two "hosts" (tests/lib/hosts.sh: a private libvirtd,
# ovsdb-server and DPDK ovs-vswitchd each, csdpdk's libvirt hook installed
# as the package installs it), real guests (QEMU under TCG, a Linux kernel)
# whose frames each host's frame clock counts.
#
# CloudStack's agent cannot run here (its jars cannot be downloaded): on
# each host a MODEL of it (plugin-java-bridge/src/agent-model, written from
# CloudStack's sources, test code only) loads org.csdpdk.cloudstack.agent.
# CsdpdkVifDriver from agent.properties exactly as the agent does
# (Class.forName, configure) and runs the agent's commands in its order:
# StartCommand's plug per NIC (the domain built from the returned
# InterfaceDefs plus the pasted extraconfig snippets, started by libvirtd
# as a transient domain), StopCommand's unplug with the definition parsed
# from the domain's XML, PrepareForMigration's plug and MAC -> DpdkTO map,
# the source's replaceDpdkInterfaces and, after success, its unplug.
#
# The agent's XML transformer hook runs csdpdk's script
# (csdpdk-xml-transformer.groovy, through Debian's groovy and a model of the
# agent's LibvirtKvmAgentHook) on each domain before libvirt starts it.
#
# Cases: csdpdk agent-config finds the agent's settings right; deploy
# (traffic flows; the transformer adds <target dev> and, where QEMU is the
# socket's client, <reconnect>, and nothing else; VMs deployed at once
# never share a port; a switch crash: every VM's frames come back);
# stop by the agent; a guest that powers itself off (the hook); a live
# migration by the agent's flow and one that fails (nothing left); host
# maintenance (three VMs migrated away at once, traffic on the destination,
# nothing shared or leaked); a host csdpdk says is not capable (configure
# logs why; with csdpdk.capable.required=true the agent does not start);
# refusals at plug (bridge missing, VLAN out of range, a bad detail, a NUMA
# cell without shared memory):
# InternalErrorException with csdpdk's code, nothing left in OVSDB; a NIC
# without DPDK beside a DPDK one: OvsVifDriver's own plug and unplug.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/hosts.sh"
. "$(dirname "$0")/../lib/migrate.sh"
. "$(dirname "$0")/../lib/invariants.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOOKS=$T/agent-hooks # agent.hooks.basedir, as the package fills /etc/cloudstack/agent/hooks
mkdir -p "$HOOKS" && cp "$ROOT/plugin-java-bridge/src/agent/groovy/csdpdk-xml-transformer.groovy" "$HOOKS/"
# Debian's groovy finds Java through JAVA_HOME.
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
export JAVA_HOME
DRIVER=org.csdpdk.cloudstack.agent.CsdpdkVifDriver
KIB=$((GUEST_MEMORY_MIB * 1024))
PAGES=$((KIB / 2048))
MAINT=(83 84 85 87) # deployed at once on h1; 84 stopped by the agent, the others its maintenance

# Hugepages: h1's five guests, three of them twice while they move, the one
# that powers itself off, a margin; given back whatever happens.
trap 'agents_stop; libvirtd_cleanup_all; pages_restore; cleanup' EXIT
declare -gA AGENT_IN=() AGENT_OUT=() AGENT_PID=()
agents_stop() {
    local h
    for h in "${!AGENT_PID[@]}"; do
        eval "exec ${AGENT_IN[$h]}>&-" 2>/dev/null
        kill "${AGENT_PID[$h]}" 2>/dev/null
    done
}
hosts_ready_or_skip "csdpdk's VIF driver in CloudStack's agent flows" $((10 * PAGES + 32))

if ! AGENT_CP=$(make -s --no-print-directory -C "$ROOT/plugin-java-bridge" agent-cli-classpath 2>"$T/java.err"); then
    fail "build the VIF driver and the agent model" "$(cat "$T/java.err")"
    done_testing
    exit
fi
# AGENT_GSON=JAR: the agents run with that Gson instead of Debian's (e.g. 1.7.2, CloudStack 4.18-4.20's).
if [[ -n ${AGENT_GSON:-} ]]; then
    AGENT_CP=${AGENT_CP//\/usr\/share\/java\/gson.jar/$AGENT_GSON}
    echo "# the agents run with $AGENT_GSON"
fi

t0=$(lv_now)
for h in h1 h2; do
    HOST_HOOK=1 host_up "$h" 2>"$T/$h.err" || { fail "start host $h" "$(cat "$T/$h.err")"; done_testing; exit; }
done
ok "hosts h1 and h2 with csdpdk's hook ($(lv_since "$t0") s)"

# agent_props NAME [LINES...]: host NAME's agent.properties as an operator
# sets it for csdpdk's driver (csdpdk agent-config's lines), plus LINES.
agent_props() {
    local d=$T/$1
    {
        printf '%s\n' network.bridge.type=openvswitch openvswitch.dpdk.enabled=true \
            "openvswitch.dpdk.ovs.path=$(host_sockdir "$1")" "libvirt.vif.driver=$DRIVER" \
            guest.network.device=cloudbr0 public.network.device=cloudbr0 private.network.device=cloudbr0 \
            "csdpdk.path=$CSDPDK" "csdpdk.ovsdb=unix:$d/ovs/db.sock" "csdpdk.libvirt=${LIBVIRT_URIS[$1]:-test:///default}" \
            "csdpdk.qemu.conf=$d/lv/etc/qemu.conf" "agent.hooks.basedir=$HOOKS" \
            agent.hooks.libvirt_vm_xml_transformer.script=csdpdk-xml-transformer.groovy
        printf '%s\n' "${@:2}"
    } >"$d/agent.properties"
}

# agent_start NAME: the agent model on host NAME, its agent.properties on
# its class path as /etc/cloudstack/agent is on the agent's; it configures
# itself (the driver's configure: capabilities, gc) and waits for commands.
# agent_call NAME COMMAND...: one command (AgentCli's), its answer in AOUT;
# its status is the command's.
agent_start() {
    local d=$T/$1 fd
    rm -f "$d/agent.in" "$d/agent.out" && mkfifo "$d/agent.in" "$d/agent.out"
    java -cp "$d:$AGENT_CP" -Dcloudstack.model.ovsdb="unix:$d/ovs/db.sock" org.csdpdk.cloudstack.agent.AgentCli \
        <"$d/agent.in" >"$d/agent.out" 2>>"$d/agent.log" &
    AGENT_PID[$1]=$!
    exec {fd}>"$d/agent.in"
    AGENT_IN[$1]=$fd
    exec {fd}<"$d/agent.out"
    AGENT_OUT[$1]=$fd
    agent_read "$1"
}
agent_read() {
    local line
    AOUT=
    while IFS= read -r -t 300 -u "${AGENT_OUT[$1]}" line; do
        if [[ $line == "END "* ]]; then
            AOUT=${AOUT%$'\n'}
            return "${line#END }"
        fi
        AOUT+=$line$'\n'
    done
    # Say why, for a failure that is hard to reproduce: the process gone
    # (its pipe closed) or silent, and the end of its log.
    local why="it exited"
    alive "${AGENT_PID[$1]}" && why="it runs, silent for 300 s"
    AOUT+="(no answer from the agent on $1: $why; its log ends: $(tail -n 8 "$T/$1/agent.log" 2>/dev/null | tr '\n' '|'))"
    return 99
}
agent_call() {
    printf '%s\n' "${*:2}" >&"${AGENT_IN[$1]}"
    agent_read "$1"
}
agent_log() { cat "$T/$1/agent.log"; }

# agent_once DIR [CLASSPATH]: an agent model started with DIR/agent.properties
# (and CLASSPATH before the agent's), which only configures itself and
# exits; its status, answer in AOUT, log in DIR.
agent_once() {
    AOUT=$(java -cp "$1:${2:+$2:}$AGENT_CP" -Dcloudstack.model.ovsdb="unix:$1/ovs/db.sock" org.csdpdk.cloudstack.agent.AgentCli \
        </dev/null 2>"$1/agent.log")
}

# agent_transform HOST IN OUT: the agent's XML transformer hook on HOST
# (its agent.properties on the class path), IN's domain to OUT.
agent_transform() {
    groovy -cp "$T/$1:$AGENT_CP" "$ROOT/plugin-java-bridge/src/test/groovy/agent-hook.groovy" "$HOOKS" \
        csdpdk-xml-transformer.groovy transform "$2" "$3" 2>>"$T/$1/agent.log"
}

port_count() { host_use "$1"; vsctl list-ports "$HOST_BRIDGE" 2>/dev/null | grep -c .; }
owner_of() { hrun "$1" status <<<'{}'; jqo "[.result.ports[] | select(.mac == \"$2\") | \"\(.owned_by):\(.owner)\"] | join(\" \")"; }

# The pasted snippets: the VM's extraconfig details as the agent receives them.
NUMA="<cpu><numa><cell id='0' cpus='0' memory='$KIB' unit='KiB' memAccess='shared'/></numa></cpu>"
HUGE="<memoryBacking><hugepages/></memoryBacking>"
printf '%s' "$NUMA" >"$T/numa.xml"
printf '%s' "$HUGE" >"$T/huge.xml"
DETAILS="--detail-file extraconfig-dpdk-numa=$T/numa.xml --detail-file extraconfig-dpdk-hugepages=$T/huge.xml"

# vm N: NAME, VM (UUID), MAC, NIC (UUID) of test VM N.
vm() {
    NAME=vm$1 VM=$(uuid_for "$1") MAC=52:54:00:$1:00:01 NIC=00000000-0000-4000-8000-0000000${1}0a1
    MACS=("$MAC")
}

# agent_domain IFACES [KERNEL ARGS...]: the domain StartCommand gives
# libvirt: the test guest's, its CPU definition left out (the agent skips
# it when extraconfig-dpdk-numa is there), the NICs' XML from the
# InterfaceDefs, the extraconfig snippets appended as the agent pastes them.
agent_domain() {
    GUEST_MEMFD=0 mig_guest_xml "${@:2}" | python3 -c '
import sys, xml.etree.ElementTree as ET
dom = ET.fromstring(sys.stdin.read())
for cpu in dom.findall("cpu"):
    dom.remove(cpu)
devices = dom.find("devices")
for iface in devices.findall("interface"):
    devices.remove(iface)
for iface in ET.fromstring("<x>" + open(sys.argv[1]).read() + "</x>"):
    devices.append(iface)
for snippet in sys.argv[2:]:
    dom.append(ET.fromstring(open(snippet).read()))
sys.stdout.write(ET.tostring(dom, encoding="unicode"))' "$1" "$T/numa.xml" "$T/huge.xml"
}

# deploy HOST N MODE [KERNEL ARGS...]: VM N started on HOST by the agent's
# flow: plug, domain, libvirt's domainCreateXML (virsh create). IFACE holds
# the NIC's XML.
deploy() {
    local h=$1 n=$2 mode=$3
    vm "$n"
    agent_call "$h" start --detail DPDK-VHOSTUSER="$mode" $DETAILS "$MAC,$NIC,cloudbr0,100" || { DEPLOY_ERR=$AOUT; return 1; }
    printf '%s' "$AOUT" >"$T/$NAME.ifaces"
    agent_domain "$T/$NAME.ifaces" csdpdk.ping=0.1 "${@:4}" >"$T/$NAME.agent.xml"
    agent_transform "$h" "$T/$NAME.agent.xml" "$T/$NAME.xml" || { DEPLOY_ERR="the transformer hook failed"; return 1; }
    DEPLOY_ERR=$(lvsh "$h" create "$T/$NAME.xml" 2>&1) || return 1
}

for h in h1 h2; do
    agent_props "$h"
    agent_start "$h"
    check "$h: the agent loads $DRIVER from agent.properties and configures it" \
        test "$?:$AOUT" = "0:configured $DRIVER"
done
check "... its configure asked csdpdk and logged: this host can run DPDK VMs" \
    grep -q "csdpdk capabilities: this host can run DPDK VMs" "$T/h1/agent.log"
check "... and found csdpdk's bridge in its own jar (no warning about another copy)" \
    test "$(grep -c "csdpdk's bridge .* is loaded from" "$T/h1/agent.log")" = 0
hrun h1 agent-config
check "h1: csdpdk agent-config finds the agent's settings ready for the driver" test "$status:$(jqo .result.ready)" = 0:true

# ---- refusals at plug ----

refusal() { # DESCRIPTION CODE NIC... (with the agent's details)
    local before
    before=$(port_count h1)
    agent_call h1 start $DETAILS "${@:3}"
    local rc=$?
    if [[ $rc == 2 && $AOUT == "InternalErrorException: "*"csdpdk plug: $2: "* ]]; then
        ok "$1: InternalErrorException with csdpdk's code $2: ${AOUT#InternalErrorException: }"
    else
        fail "$1: InternalErrorException with csdpdk's code $2" "status $rc: $AOUT"
    fi
    check "... nothing left in h1's OVSDB" test "$(port_count h1)" = "$before"
}
refusal "plug on a bridge h1 does not have" unknown_bridge "52:54:00:80:00:01,00000000-0000-4000-8000-0000000080a1,nosuchbr,100"
refusal "plug with VLAN 4095" invalid_vlan "52:54:00:80:00:01,00000000-0000-4000-8000-0000000080a1,cloudbr0,4095"
refusal "plug with DPDK-VHOSTUSER=sideways" invalid_mode --detail DPDK-VHOSTUSER=sideways \
    "52:54:00:80:00:01,00000000-0000-4000-8000-0000000080a1,cloudbr0,100"
printf '%s' "${NUMA/ memAccess=\'shared\'/}" >"$T/numa-private.xml"
refusal "plug with a NUMA cell without memAccess='shared'" invalid_xml \
    --detail-file extraconfig-dpdk-numa="$T/numa-private.xml" "52:54:00:80:00:01,00000000-0000-4000-8000-0000000080a1,cloudbr0,100"
refusal "a VM whose second NIC is refused: the agent's start-failure path unplugs the first" unknown_bridge \
    "52:54:00:80:00:01,00000000-0000-4000-8000-0000000080a1,cloudbr0,100" \
    "52:54:00:80:00:02,00000000-0000-4000-8000-0000000080a2,nosuchbr,100"
check "... the first NIC's port was made, then removed by the driver's unplug" \
    grep -q "csdpdk unplug: csdpdk-[0-9]* removed" "$T/h1/agent.log"

# ---- a NIC that is not DPDK's: OvsVifDriver's own path ----

# A VM with a DPDK NIC and one the management server did not mark DPDK: the
# driver plugs the first, the stock code defines the second (a bridge
# interface with an openvswitch virtualport; libvirt adds its tap itself),
# and csdpdk is never asked about it; at stop, the stock unplug gets it.
before=$(port_count h1)
log0=$(wc -l <"$T/h1/agent.log")
agent_call h1 start $DETAILS "52:54:00:80:00:01,00000000-0000-4000-8000-0000000080a1,cloudbr0,100" \
    "52:54:00:80:00:02,00000000-0000-4000-8000-0000000080a2,cloudbr0,101,nodpdk"
rc=$?
printf '<domain><devices>%s</devices></domain>' "$AOUT" >"$T/mixed.xml"
mixed=$(python3 -c '
import sys, xml.etree.ElementTree as ET
for i in ET.parse(sys.argv[1]).getroot().iter("interface"):
    s, v, t = i.find("source"), i.find("virtualport"), i.find("vlan/tag")
    print(i.get("type"), i.find("mac").get("address"),
          s.get("bridge") or s.get("path"), v.get("type") if v is not None else "-", t.get("id") if t is not None else "-")
' "$T/mixed.xml" 2>&1)
port=$(grep -o "csdpdk-[0-9][0-9]*" "$T/mixed.xml" | head -1)
check "h1: a VM with a DPDK NIC and a NIC without DPDK: the driver makes a vhost-user interface of the first, the stock code a bridge one (openvswitch virtualport, VLAN 101) of the second" \
    test "$rc|$mixed" = "0|vhostuser 52:54:00:80:00:01 $(host_sockdir h1)/$port - -
bridge 52:54:00:80:00:02 cloudbr0 openvswitch 101"
check "... one port in h1's OVSDB, and csdpdk was asked about the DPDK NIC only" \
    test "$(($(port_count h1) - before))|$(tail -n +"$((log0 + 1))" "$T/h1/agent.log" | grep -c "csdpdk plug: NIC 52:54:00:80:00:01 ")|$(tail -n +"$((log0 + 1))" "$T/h1/agent.log" | grep -c "NIC 52:54:00:80:00:02")" = "1|1|0"
agent_call h1 stop "$T/mixed.xml"
check "... StopCommand: the driver removes its port itself; the bridge interface, and it alone, goes to the stock unplug" \
    test "$?|$(head -1 <<<"$AOUT")|$(grep -c 'stock del-port \[\]' <<<"$AOUT")|$(grep '^stock unplug' <<<"$AOUT")|$(($(port_count h1) - before))" \
    = "0|unplugged $port $(host_sockdir h1) client|1|stock unplug [52:54:00:80:00:02@cloudbr0]|0"

# A vhost-user interface on a port csdpdk does not name (an operator's, or
# another tool's): OvsVifDriver's, whose unplug runs ovs-vsctl del-port for
# it as on a stock agent; csdpdk is not asked (it would refuse the name).
# One whose name a shell would read (the stock unplug pastes it into a bash
# command line) is left in place, with an error in the log.
printf "<domain><devices><interface type='vhostuser'><mac address='52:54:00:80:00:03'/><source type='unix' path='%s/vhu-ops-1' mode='client'/><model type='virtio'/></interface><interface type='vhostuser'><mac address='52:54:00:80:00:04'/><source type='unix' path='%s/x;touch \$T' mode='client'/><model type='virtio'/></interface></devices></domain>" \
    "$(host_sockdir h1)" "$(host_sockdir h1)" >"$T/other.xml"
log0=$(wc -l <"$T/h1/agent.log")
agent_call h1 stop "$T/other.xml"
check "StopCommand of vhost-user interfaces on ports not named csdpdk-N: the stock unplug's del-port for vhu-ops-1, csdpdk not asked; 'x;touch \$T' left in place, logged" \
    test "$?|$(grep '^stock del-port ' <<<"$AOUT")|$(tail -n +"$((log0 + 1))" "$T/h1/agent.log" | grep -c 'csdpdk unplug')|$(tail -n +"$((log0 + 1))" "$T/h1/agent.log" | grep -c "vhost-user port 'x;touch \$T' is left in place")" \
    = "0|stock del-port [vhu-ops-1]|0|1"

# A multi-queue NIC: the offering's extraconfig-dpdk-interface-queues (as
# csdpdk offering build writes it) asks for 2 queues; the driver tells
# csdpdk's plug so, which checks the two agree (before: invalid_xml).
printf '%s' '<driver queues="2"/>' >"$T/queues.xml"
before=$(port_count h1)
agent_call h1 start $DETAILS --detail-file extraconfig-dpdk-interface-queues="$T/queues.xml" \
    "52:54:00:80:00:03,00000000-0000-4000-8000-0000000080a3,cloudbr0,100"
rc=$?
printf '<domain><devices>%s</devices></domain>' "$AOUT" >"$T/mq.xml"
check "h1: a NIC with extraconfig-dpdk-interface-queues=<driver queues=\"2\"/>: plugged (csdpdk's plug, which refuses a <driver queues> other than the NIC's queue count, accepted it), the interface carries the 2 queues" \
    test "$rc|$(grep -c '<driver queues="2"/>' "$T/mq.xml")|$(($(port_count h1) - before))" = "0|1|1"
agent_call h1 stop "$T/mq.xml"
check "... stopped: its port removed" test "$?|$(($(port_count h1) - before))" = "0|0"

# ---- deploy ----

BOOT=$(lv_now)
deploy h1 81 client && ok "h1: StartCommand: plug by the driver, the domain started by libvirtd" ||
    fail "h1: StartCommand: plug by the driver, the domain started by libvirtd" "$DEPLOY_ERR"
check "... the InterfaceDef's XML: one '/' between the directory and csdpdk's port, QEMU the socket's server" \
    grep -q "path='$(host_sockdir h1)/csdpdk-[0-9]*' mode='server'" "$T/$NAME.ifaces"
check "... the port is the VM's (bound by the hook at prepare begin)" test "$(owner_of h1 "$MAC")" = "vm:$VM"
# same_but_interfaces A B: the two domains are equal once every interface's
# <target> and <source>'s <reconnect> are left out.
same_but_interfaces() {
    python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
def canon(path):
    dom = ET.parse(path).getroot()
    for iface in dom.iter("interface"):
        for t in iface.findall("target"):
            iface.remove(t)
        for src in iface.findall("source"):
            for r in src.findall("reconnect"):
                src.remove(r)
    return ET.tostring(dom)
sys.exit(canon(sys.argv[1]) != canon(sys.argv[2]))
PY
}
check "... the transformer hook added <target dev='csdpdk-N'/>, no <reconnect> (QEMU is the server)" \
    bash -c "grep -q \"<target dev=.csdpdk-[0-9]*./>\" '$T/$NAME.xml' && ! grep -q '<reconnect' '$T/$NAME.xml'"
check "... and changed nothing else" same_but_interfaces "$T/$NAME.agent.xml" "$T/$NAME.xml"
# The transformer where csdpdk cannot run: the domain as the agent made it,
# byte for byte, and a log line; the start goes on.
mkdir -p "$T/broken"
sed "s|^csdpdk.path=.*|csdpdk.path=$T/no-such-csdpdk|" "$T/h1/agent.properties" >"$T/broken/agent.properties"
agent_transform broken "$T/$NAME.agent.xml" "$T/$NAME.broken.xml"
check "... with csdpdk.path naming no program: the transformer returns the domain unchanged, byte for byte, and logs why" \
    test "$?|$(cmp -s "$T/$NAME.agent.xml" "$T/$NAME.broken.xml" && echo same)|$(grep -c 'csdpdk domain-complete failed, the domain is left as the agent made it' "$T/broken/agent.log")" = "0|same|1"
# csdpdk's jar gone (the package removed, the transformer's line left in
# agent.properties): the script's own fallback, through the logger the
# hook hands it (java.util.logging's here: it has warning, not warn).
mkdir -p "$T/removed"
cp "$T/h1/agent.properties" "$T/removed/"
groovy -cp "$T/removed:$(tr ':' '\n' <<<"$AGENT_CP" | grep -v 'csdpdk-cloudstack-agent\.jar$' | paste -sd:)" \
    "$ROOT/plugin-java-bridge/src/test/groovy/agent-hook.groovy" "$HOOKS" csdpdk-xml-transformer.groovy transform \
    "$T/$NAME.agent.xml" "$T/$NAME.removed.xml" 2>>"$T/removed/agent.log"
check "... with csdpdk's jar gone: the domain unchanged, byte for byte, and the script's own log line" \
    test "$?|$(cmp -s "$T/$NAME.agent.xml" "$T/$NAME.removed.xml" && echo same)|$(grep -c 'csdpdk-xml-transformer.groovy: the domain is left as the agent made it: java.lang.ClassNotFoundException: org.csdpdk.cloudstack.agent.XmlTransformer' "$T/removed/agent.log")" = "0|same|1"
# Two <driver> elements in a vhost-user interface (CloudStack 4.19+ writes
# one for the VM detail nic.multiqueue.number, a pasted
# extraconfig-dpdk-interface-* detail another; libvirt reads the first):
# the transformer logs domain-complete's warning and changes nothing for it.
printf "<domain type='kvm'><name>two-drivers</name><uuid>00000000-0000-4000-8000-0000000080f1</uuid><memory unit='KiB'>1048576</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><devices><interface type='vhostuser'><mac address='52:54:00:80:00:f1'/><source type='unix' path='%s/csdpdk-999' mode='client'/><model type='virtio'/><driver queues='4'/><driver queues='2'/></interface></devices></domain>" \
    "$(host_sockdir h1)" >"$T/two-drivers.xml"
agent_transform h1 "$T/two-drivers.xml" "$T/two-drivers.out.xml"
check "... a vhost-user interface with two <driver> elements: the transformer logs csdpdk's warning (libvirt uses the first), the domain unchanged" \
    test "$?|$(cmp -s "$T/two-drivers.xml" "$T/two-drivers.out.xml" && echo same)|$(grep -c "csdpdk domain-complete: warning: interface 52:54:00:80:00:f1 has 2 <driver> elements: libvirt uses the first (queues 4)" "$T/h1/agent.log")" = "0|same|1"
if frames_wait h1 "$MAC" 5 "$BOOT" 180; then
    ok "h1: $NAME's frames cross h1's switch ($(lv_since "$BOOT") s after start)"
else
    fail "h1: $NAME's frames cross h1's switch" "$(tail -n 5 "$(mig_console h1)")"
    done_testing
    exit
fi
check "... the driver logged csdpdk's port for the NIC" grep -q "csdpdk plug: NIC $MAC ($NIC) -> csdpdk-[0-9]* on cloudbr0" "$T/h1/agent.log"
check "... and csdpdk's decode verdict on the VM's details" \
    grep -q "csdpdk decode (NIC $MAC): DPDK, mode [a-z]* (dpdkvhostuser[a-z]*; QEMU the socket's [a-z]*), NUMA snippet yes, hugepages snippet yes" "$T/h1/agent.log"
# The same StartCommand again while the VM runs: the plug is refused (the
# port is the running VM's), so the agent's start-failure path has nothing
# of the VM's to unplug, and its frames go on.
before=$(port_count h1)
agent_call h1 start --detail DPDK-VHOSTUSER=client $DETAILS "$MAC,$NIC,cloudbr0,100"
rc=$? t0=$(lv_now)
check "h1: a StartCommand for $NAME, which runs: InternalErrorException, csdpdk's port_conflict naming the running VM" \
    test "$rc|$(grep -c "csdpdk plug: port_conflict: .* of VM $VM, which runs on this host" <<<"$AOUT")" = "2|1"
check "... its port stays, the VM's" test "$(port_count h1)|$(owner_of h1 "$MAC")" = "$before|vm:$VM"
if frames_wait h1 "$MAC" 3 "$t0" 30; then
    ok "... $NAME's frames cross h1's switch after the refused start"
else
    fail "... $NAME's frames cross h1's switch after the refused start" "$(tail -n 3 "$(mig_console h1)")"
fi

# The maintenance's three VMs, deployed at once (server mode, CloudStack's
# default: the agent runs their StartCommands in parallel threads), and one
# on h2 that powers itself off.
nics=()
for n in "${MAINT[@]}"; do vm "$n"; nics+=("$MAC,$NIC,cloudbr0,100"); done
agent_call h1 start-many "$T" --detail DPDK-VHOSTUSER=server $DETAILS "${nics[@]}"
check "h1: ${#MAINT[@]} VMs' StartCommands at once: each NIC plugged" test "$?" = 0
BOOT=$(lv_now)
started=0
for n in "${MAINT[@]}"; do
    vm "$n"
    agent_domain "$T/$MAC.ifaces" csdpdk.ping=0.1 >"$T/$NAME.agent.xml" &&
        agent_transform h1 "$T/$NAME.agent.xml" "$T/$NAME.xml" && lvsh h1 create "$T/$NAME.xml" >/dev/null &&
        started=$((started + 1))
done
check "... and their domains started" test "$started" = "${#MAINT[@]}"
names=$(for n in "${MAINT[@]}"; do vm "$n"; grep -o "/csdpdk-[0-9]*'" "$T/$MAC.ifaces"; done | tr -d "/'" | sort)
check "... their InterfaceDefs name ${#MAINT[@]} distinct ports ($(echo $names)), none of them vm81's" \
    test "$(sort -u <<<"$names" | grep -c .)|$(grep -cx "$(grep -o "csdpdk-[0-9]*" "$T/vm81.ifaces" | head -1)" <<<"$names")" \
    = "${#MAINT[@]}|0"
fl=0
for n in "${MAINT[@]}"; do vm "$n"; frames_wait h1 "$MAC" 3 "$BOOT" 180 || fl=$((fl + 1)); done
check "... each one's frames cross h1's switch" test "$fl" = 0
vm 83
check "... the transformer hook gave them <target dev> and <reconnect> (QEMU is the client)" \
    bash -c "grep -q \"<target dev=.csdpdk-[0-9]*./>\" '$T/$NAME.xml' && grep -q \"<reconnect enabled=.yes. timeout=.1./>\" '$T/$NAME.xml'"
check "... and changed nothing else" same_but_interfaces "$T/$NAME.agent.xml" "$T/$NAME.xml"

# A crash of h1's switch: with the <reconnect> the transformer added, QEMU
# reconnects to the new ovs-vswitchd's sockets (server mode), OVS to QEMU's
# (client mode).
T2=$(lv_now)
host_restart_switch h1 KILL >/dev/null 2>&1
fl=0
for n in 81 "${MAINT[@]}"; do vm "$n"; frames_wait h1 "$MAC" 3 "$(lv_plus "$T2" 1)" 90 || fl=$((fl + 1)); done
check "h1's switch killed and restarted: the frames of its $((${#MAINT[@]} + 1)) VMs cross it again" test "$fl" = 0

deploy h2 86 server csdpdk.poweroff=45 && ok "h2: vm86 deployed, set to power itself off after 45 s" ||
    fail "h2: vm86 deployed, set to power itself off after 45 s" "$DEPLOY_ERR"
OFF_T0=$(lv_now)

# ---- stop by the agent ----

# The driver's unplug before the domain is gone (CloudStack stops the
# domain first, as the case of vm81 on h2 below does; here the driver must
# remove the port itself, as where no hook is installed), then the domain
# destroyed: the hook's release end finds nothing left to remove.
vm 84
lvsh h1 dumpxml "$NAME" >"$T/$NAME.live.xml"
port=$(grep -o "csdpdk-[0-9][0-9]*" "$T/$NAME.live.xml" | head -1)
removed0=$(grep -c "csdpdk unplug: $port removed" "$T/h1/agent.log")
agent_call h1 stop "$T/$NAME.live.xml"
check "h1: StopCommand for $NAME: the driver's unplug gets the parsed definition ($port, no MAC) and succeeds" \
    test "$?:$(head -1 <<<"$AOUT")" = "0:unplugged $port $(host_sockdir h1) client"
check "... the driver removed its port itself (its log says so), the stock del-port was not called" \
    test "$(ports_on h1 | grep -c "$port ")|$(($(grep -c "csdpdk unplug: $port removed" "$T/h1/agent.log") - removed0))|$(grep -c 'stock del-port \[\]' <<<"$AOUT")" = "0|1|1"
log0=$(wc -l <"$(host_hook_log h1)")
lvsh h1 destroy "$NAME" >/dev/null
for ((i = 0; i < 50; i++)); do tail -n +"$((log0 + 1))" "$(host_hook_log h1)" | grep -q "$NAME release end" && break; sleep 0.1; done
check "... then the domain destroyed: the hook's release end runs, finds nothing left to remove, changes nothing" \
    test "$(tail -n +"$((log0 + 1))" "$(host_hook_log h1)" | grep "$NAME release end" | grep -c 'removed csdpdk-')|$(tail -n +"$((log0 + 1))" "$(host_hook_log h1)" | grep -c "$NAME release end")|$(ports_on h1 | grep -c "$port ")" = "0|1|0"
MAINT=(83 85 87)
declare -A GONE=()

# ---- a live migration by the agent's flow ----

# agent_migrate SRC DST N: PrepareForMigration on DST, the mapping, the
# source's rewrite (replaceDpdkInterfaces), libvirt's migration; after
# success the source's unplug. MIGRATE_STATUS says how it went.
agent_migrate() {
    local src=$1 dst=$2
    vm "$3"
    agent_call "$dst" prepare $DETAILS "$MAC,$NIC,cloudbr0,100" || { MIGRATE_OUT="prepare: $AOUT"; MIGRATE_STATUS=1; return 1; }
    printf '%s' "$AOUT" >"$T/$NAME.mapping"
    lvsh "$src" dumpxml --migratable "$NAME" >"$T/$NAME.migratable.xml"
    agent_call "$src" rewrite "$T/$NAME.migratable.xml" "$T/$NAME.mapping" || { MIGRATE_OUT="rewrite: $AOUT"; MIGRATE_STATUS=1; return 1; }
    printf '%s' "$AOUT" >"$T/$NAME.dest.xml"
    MIGRATE_T0=$(lv_now)
    MIGRATE_OUT=$(LVSH_TIMEOUT=240 lvsh "$src" migrate --live "$NAME" "${LIBVIRT_URIS[$dst]}" --xml "$T/$NAME.dest.xml" \
        --migrateuri tcp://127.0.0.1 2>&1)
    MIGRATE_STATUS=$?
    [[ $MIGRATE_STATUS == 0 ]] || return 1
    agent_call "$src" cleanup-source "$T/$NAME.migratable.xml"
}

vm 81
agent_migrate h1 h2 81
check "h1 -> h2: PrepareForMigration's plug on h2 answers the MAC -> DpdkTO map" \
    test "$(jq -r --arg m "$MAC" '.[$m].path' "$T/$NAME.mapping")" = "$(host_sockdir h2)/"
if [[ $MIGRATE_STATUS == 0 ]] && frames_wait h2 "$MAC" 5 "$MIGRATE_T0" 60; then
    ok "h1 -> h2 by the agent's flow (client mode): $NAME's frames cross h2's switch"
else
    fail "h1 -> h2 by the agent's flow: $NAME's frames cross h2's switch" "$MIGRATE_OUT" "$(tail -3 "$(host_hook_log h2)")"
fi
check "... h2's port is the VM's; h1 has no port of it (the source's unplug, the hook)" \
    test "$(owner_of h2 "$MAC")|$(owner_of h1 "$MAC")" = "vm:$VM|"
src_port=$(grep -o "csdpdk-[0-9][0-9]*" "$T/$NAME.migratable.xml" | head -1)
check "... the source's cleanup: the driver's unplug of $src_port, which the hook's release end had removed already (its log: was not there)" \
    test "$(head -1 <<<"$AOUT" | cut -d' ' -f1-2)|$(grep -c "csdpdk unplug: $src_port was not there" "$T/h1/agent.log")|$(grep -cE "$NAME release end.*removed $src_port([,;]| \()" "$(host_hook_log h1)")" = \
    "unplugged $src_port|1|1"

# One that fails: h2 has too few free hugepages, its hook refuses the
# incoming domain; CloudStack's cleanup (a StopCommand with the map, no
# domain there) cannot remove csdpdk-N ports (removeDpdkPort refuses the
# name), the hook did.
vm 83
pages_set_free $((PAGES / 2))
agent_migrate h1 h2 83
pages_reserve $((6 * PAGES + 32)) >/dev/null
check "h1 -> h2 with too few hugepages on h2: the migration fails, the VM runs on at h1" \
    test "$MIGRATE_STATUS:$(domain_state h1 "$NAME")" != "0:running" -a "$(domain_state h1 "$NAME")" = running
check "... libvirt's error is the hook's refusal" grep -q "csdpdk refused the incoming migration: hugepages" <<<"$MIGRATE_OUT"
agent_call h2 stop none "$T/$NAME.mapping"
check "... CloudStack's cleanup on h2 (a StopCommand with the map, no domain) fails in removeDpdkPort: $(head -1 <<<"$AOUT")" \
    grep -q "CloudRuntimeException: Invalid DPDK port specified: 'csdpdk-[0-9]*'" <<<"$AOUT"
check "... nothing of it is left on h2 (no port, no domain)" \
    test "$(owner_of h2 "$MAC")|$(lvsh h2 list --all --name | grep -c "^$NAME$")" = "|0"

# ---- host maintenance: every DPDK VM of h1 away at once ----

# Each VM's PrepareForMigration and rewrite in turn, then libvirt's three
# migrations at once, then each source's unplug.
T1=$(lv_now)
prepared=0
for n in "${MAINT[@]}"; do
    vm "$n"
    agent_call h2 prepare $DETAILS "$MAC,$NIC,cloudbr0,100" && printf '%s' "$AOUT" >"$T/$NAME.mapping" &&
        lvsh h1 dumpxml --migratable "$NAME" >"$T/$NAME.migratable.xml" &&
        agent_call h1 rewrite "$T/$NAME.migratable.xml" "$T/$NAME.mapping" && printf '%s' "$AOUT" >"$T/$NAME.dest.xml" &&
        prepared=$((prepared + 1))
done
check "h1 in maintenance: PrepareForMigration on h2 and the source's rewrite for its ${#MAINT[@]} VMs" \
    test "$prepared" = "${#MAINT[@]}"
pids=()
for n in "${MAINT[@]}"; do
    vm "$n"
    LVSH_TIMEOUT=240 lvsh h1 migrate --live "$NAME" "${LIBVIRT_URIS[h2]}" --xml "$T/$NAME.dest.xml" \
        --migrateuri tcp://127.0.0.1 >"$T/$NAME.migrate.out" 2>&1 &
    pids+=($!)
done
moved=0
for p in "${pids[@]}"; do wait "$p" && moved=$((moved + 1)); done
check "... libvirt migrated them to h2 at once ($(lv_since "$T1") s)" test "$moved" = "${#MAINT[@]}"
for n in "${MAINT[@]}"; do vm "$n"; agent_call h1 cleanup-source "$T/$NAME.migratable.xml"; done
fl=0
for n in "${MAINT[@]}"; do vm "$n"; frames_wait h2 "$MAC" 3 "$T1" 90 || fl=$((fl + 1)); done
check "... each one's frames cross h2's switch" test "$fl" = 0
check "... h1 has no port left" test "$(port_count h1)" = 0
names=$(hrun h2 status <<<'{}'; jqo '[.result.ports[] | "\(.port)=\(.owner)"] | sort | join(" ")')
check "... h2's ports are distinct, each its VM's: $names" \
    test "$(tr ' ' '\n' <<<"$names" | cut -d= -f1 | sort -u | grep -c .)|$(grep -c null <<<"$names")" = "$(($(wc -w <<<"$names")))|0"
host_use h1
check "... h1's OVSDB holds its invariants (no VM there)" test "$(invariants_check "" "" | tr '\n' ' ')" = ""
host_use h2
check "... h2's OVSDB holds its invariants (its VMs: 81, ${MAINT[*]}, 86)" \
    test "$(invariants_check "$(for n in 81 "${MAINT[@]}" 86; do uuid_for "$n"; echo; done | tr '\n' ' ')" "" | tr '\n' ' ')" = ""

# ---- stop by the agent, in its own order ----

# LibvirtStopCommandWrapper: the domain's interfaces parsed, the domain
# stopped, then each unplugged: the hook's release end has removed the
# port by then, and the driver's unplug finds nothing (idempotent).
vm 81
lvsh h2 dumpxml "$NAME" >"$T/$NAME.h2.xml"
port=$(grep -o "csdpdk-[0-9][0-9]*" "$T/$NAME.h2.xml" | head -1)
log0=$(wc -l <"$(host_hook_log h2)")
lvsh h2 destroy "$NAME" >/dev/null
for ((i = 0; i < 50; i++)); do tail -n +"$((log0 + 1))" "$(host_hook_log h2)" | grep -q "$NAME release end" && break; sleep 0.1; done
agent_call h2 stop "$T/$NAME.h2.xml"
st=$?
check "h2: StopCommand for $NAME in the agent's order (the domain stopped first): the hook's release end removed $port, then the driver's unplug found it gone (its log: was not there), exit 0" \
    test "$st|$(tail -n +"$((log0 + 1))" "$(host_hook_log h2)" | grep "$NAME release end" | grep -cE "removed $port([,;]| \()")|$(grep -c "csdpdk unplug: $port was not there" "$T/h2/agent.log")|$(ports_on h2 | grep -c "$port ")" \
    = "0|1|1|0"

# ---- the guest that powered itself off ----

for ((i = 0; i < 120; i++)); do
    [[ -z $(lvsh h2 list --name | grep -x vm86) ]] && break
    sleep 1
done
vm 86
check "h2: vm86 powered itself off from inside ($(lv_since "$OFF_T0") s after start): its port is gone (the hook)" \
    test "$(lvsh h2 list --name | grep -cx vm86)|$(owner_of h2 "$MAC")" = "0|"

# ---- the agent's restart collects what is gone ----

# Two NICs' ports on h1 that no domain took: one plugged two hours ago (its
# plug time set back: past gc's grace of an hour), one just now.
for m in 01 02; do
    hrun h1 plug <<<"$(jq -nc --arg mac 52:54:00:99:00:$m --arg br "$HOST_BRIDGE" --arg nic 00000000-0000-4000-8000-0000000099$m \
        --arg numa "$NUMA" --arg huge "$HUGEPAGES" \
        '{nics: [{mac: $mac, bridge: $br, uuid: $nic}], details: {encoding: "none", vm: {"DPDK-VHOSTUSER": "client",
          "extraconfig-dpdk-numa": $numa, "extraconfig-dpdk-hugepages": $huge}}}')"
    GONE[$m]=$(jqo '.result.ports[0].port')
done
host_use h1
vsctl set Interface "${GONE[01]}" "external_ids:csdpdk-plug-time=$(($(date +%s) - 7200))"
agent_once "$T/h1"
check "h1: the agent restarted: configure's gc removed ${GONE[01]} (unbound for two hours, no domain), logged it, and kept ${GONE[02]} (in its grace)" \
    test "$?|$(ports_on h1)|$(grep -c "csdpdk gc: removed 1 port(s) of VMs no longer here: ${GONE[01]}$" "$T/h1/agent.log")" = "0|${GONE[02]} |1"
hrun h1 unplug <<<"{\"ports\": [\"${GONE[02]}\"]}"

# ---- a host where csdpdk is not capable ----

# h3: an OVSDB, a bridge, no ovs-vswitchd (no DPDK in the switch).
host_use h3
ovsdb_start "$T/h3/ovs" >/dev/null && vsctl --no-wait add-br cloudbr0 && mkdir -p "$T/h3/ovs/vhost"
agent_props h3
agent_once "$T/h3"
check "h3 (no DPDK in its switch): the agent starts (status 0)" test "$?" = 0
check "... and configure logged why csdpdk says the host is not capable" \
    grep -q "enables DPDK but this host cannot run DPDK VMs: .*dpdk" "$T/h3/agent.log"
printf '# %s\n' "$(grep -m1 "cannot run DPDK VMs" "$T/h3/agent.log" | sed "s|$T|\$T|g" | cut -c1-300)"
agent_props h3 csdpdk.capable.required=true
agent_once "$T/h3"
check "... with csdpdk.capable.required=true, configure throws ConfigurationException: the agent does not start" \
    test "$?:${AOUT%%:*}" = "3:ConfigurationException"
agent_props h3 csdpdk.capable.required=true csdpdk.path=/bin/false
agent_once "$T/h3"
check "... with csdpdk.capable.required=true and a csdpdk that gives no verdict (/bin/false): the agent does not start either, saying why" \
    test "$?|$(grep -c "^ConfigurationException: csdpdk capabilities: .* enables DPDK but csdpdk could not tell whether this host can run DPDK VMs" <<<"$AOUT")" = "3|1"
# A copy of csdpdk's bridge earlier on the class path than the driver's jar
# (an agent built with the bridge inside, in lib/): loaded first, said loudly.
agent_props h3
agent_once "$T/h3" "$(tr ':' '\n' <<<"$AGENT_CP" | grep 'csdpdk-bridge\.jar$')"
check "... a copy of csdpdk's bridge before the driver's jar on the class path: the agent starts, the log says which one was loaded" \
    test "$?|$(grep -c "csdpdk's bridge (org.apache.cloudstack.hypervisor.kvm.dpdk.helper) is loaded from file:.*csdpdk-bridge.jar, not from this driver's jar" "$T/h3/agent.log")" = "0|1"
# An older csdpdk's bridge (before DpdkHelperOptions.logger, ed45ae8)
# first: the driver says where it comes from and what it lacks, and goes on.
if git -C "$ROOT" cat-file -e 'ed45ae8~1^{commit}' 2>/dev/null; then
    old=$T/old-bridge
    mkdir -p "$old/src" "$old/classes"
    if git -C "$ROOT" archive 'ed45ae8~1' plugin-java-bridge/src/main 2>"$old/javac.err" | tar -x -C "$old/src" &&
        javac --release 11 -encoding UTF-8 -nowarn -cp "$(tr ':' '\n' <<<"$AGENT_CP" | grep -i 'gson[^/]*\.jar$' | head -1)" \
            -d "$old/classes" $(find "$old/src" -name '*.java') 2>>"$old/javac.err" &&
        jar --create --file "$old/bridge.jar" -C "$old/classes" . 2>>"$old/javac.err"; then
        agent_once "$T/h3" "$old/bridge.jar"
        check "... an older csdpdk's bridge (ed45ae8~1's) first: the agent starts, the log says which copy was loaded and what it lacks" \
            test "$?|$(grep -c "is loaded from file:$old/bridge.jar, not from this driver's jar" "$T/h3/agent.log")|$(grep -c "csdpdk's bridge has no DpdkHelperOptions.Builder.logger" "$T/h3/agent.log")" = "0|1|1"
    else
        fail "build ed45ae8~1's bridge for the older-bridge case" "$(tail -5 "$old/javac.err")"
    fi
else
    skip "an older csdpdk's bridge first on the class path" "no git history here to build ed45ae8~1's bridge from"
fi
agent_props h3 csdpdk.capable.required=maybe
agent_once "$T/h3"
check "... csdpdk.capable.required=maybe is refused, naming the key" \
    grep -q "ConfigurationException: agent.properties: csdpdk.capable.required=maybe" <<<"$AOUT"
# Every line csdpdk agent-config calls wrong, the driver refuses (the agent
# does not start), naming it; the last of a repeated key counts, for both.
for line in csdpdk.ovsdb=garbage csdpdk.ovsdb=tcp:host csdpdk.libvirt=nope csdpdk.qemu.conf=rel/qemu.conf \
    csdpdk.path=/etc/passwd csdpdk.path=bin/csdpdk csdpdk.timeout=0; do
    agent_props h3 "$line"
    run --agent-properties "$T/h3/agent.properties" --ovsdb "unix:$T/h3/ovs/db.sock" agent-config
    said=$(jq -r --arg k "${line%%=*}" '.result.keys[] | select(.key == $k) | .state' <<<"$out")
    agent_once "$T/h3"
    st=$?
    check "... $line: agent-config says wrong, and configure refuses it naming the line: the agent does not start" \
        test "$said|$st:${AOUT%%:*}|$(grep -cF "ConfigurationException: agent.properties: $line: " <<<"$AOUT")" = "wrong|3:ConfigurationException|1"
done

done_testing
