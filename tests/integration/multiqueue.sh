#!/usr/bin/env bash
# Multi-queue for real (issue 20): the test guest (QEMU under TCG, a Linux
# kernel, tests/lib/libvirtd.sh) with 2 vCPUs and one NIC of 2 queue pairs
# (the plug request's nic "queues": 2, rendered as <driver queues='2'/>), on
# ports csdpdk made on a private DPDK switch (tests/lib/hosts.sh):
#   - in server mode, then in client mode (DPDK-VHOSTUSER), on h1: OVS has
#     4 vrings on the port (Interface status:num_of_vrings) and 2 rx queues,
#     both enabled and polled by a PMD (dpif-netdev/pmd-rxq-show); the
#     guest's kernel uses both (virtio_net enables min(queue pairs, online
#     CPUs); XPS maps CPU N to transmit queue N) and sends from each vCPU
#     (csdpdk.percpu=1: one ping loop pinned to each CPU), so both queues
#     carry frames, seen two ways: OVS's per-queue counters of the port
#     (Interface statistics rx_q0_good_packets, rx_q1_good_packets,
#     refreshed every 5 s) both grow, each queue by at least a quarter of
#     the frames, client mode only (OVS 3.1.0 keeps no statistics for a
#     server-mode port); and, in both modes, the PMD
#     spent processing cycles on packets of each queue (what OVS logs for
#     each rx queue at dpif-netdev/pmd-rxq-rebalance); csdpdk status says
#     queues: 2, and its per-queue fields agree with the switch
#     (status_queues_check);
#   - the client-mode VM moves live to h2 by csdpdk's migration verbs (as
#     tests/integration/live-migration.sh does): the same on h2, and
#     migrate-finish verifies the port.
# After each case the VM is gone and the OVSDB invariants hold
# (tests/lib/invariants.sh) on both hosts. About 75 s.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"
. "$(dirname "$0")/../lib/hosts.sh"
. "$(dirname "$0")/../lib/migrate.sh"
. "$(dirname "$0")/../lib/invariants.sh"

NAME=vm71
VM=$(uuid_for 71)
MACS=(52:54:00:71:00:01) VLANS=("")
MAC=${MACS[0]}
VCPUS=2 QUEUES=2
KIB=$((GUEST_MEMORY_MIB * 1024))
PAGES=$((KIB / 2048))
# How long to wait for both per-queue counters to grow: OVS refreshes
# Interface statistics every 5 s (other_config:stats-update-interval).
COUNTER_WAIT=${COUNTER_WAIT:-25}

# Hugepages: the guest's memory twice (both QEMUs hold it while it moves)
# and a margin, reserved for the test and given back whatever happens.
trap 'libvirtd_cleanup_all; pages_restore; cleanup' EXIT
want=$((2 * PAGES + 32))
hosts_ready_or_skip "multi-queue vhost-user between two hosts" "$want"

t0=$(lv_now)
for h in h1 h2; do
    host_up "$h" 2>"$T/$h.err" || { fail "start host $h" "$(cat "$T/$h.err")"; done_testing; exit; }
done
ok "two hosts, each a libvirtd, an ovsdb-server and a DPDK ovs-vswitchd of its own ($(lv_since "$t0") s)"

# ---- the VM: 2 vCPUs, one NIC with 2 queues ----

# The agent's domain, with 2 vCPUs in its one NUMA cell, and a guest that
# sends an echo every 0.2 s from each of its CPUs.
GUEST_MEMFD=0 mig_guest_xml csdpdk.ping=0.2 csdpdk.percpu=1 |
    sed -e "s|<vcpu placement='static'>1</vcpu>|<vcpu placement='static'>$VCPUS</vcpu>|" \
        -e "s|cpus='0'|cpus='0-$((VCPUS - 1))'|" >"$T/base.xml"

# vm_request (migrate.sh) for this VM: vm.vcpus, the NIC's queues and the
# NUMA detail's cell with every vCPU. migrate.sh's mig_prepare calls it too.
eval "$(declare -f vm_request | sed '1s/^vm_request/vm_request_1q/')"
vm_request() {
    vm_request_1q "$@" | jq --argjson v "$VCPUS" --argjson q "$QUEUES" \
        '.vm.vcpus = $v | .nics[].queues = $q
         | .details.vm["extraconfig-dpdk-numa"] |= sub("cpus=.0."; "cpus=\u00270-\($v - 1)\u0027")'
}

domains_on() { lvsh "$1" list --all --name | grep . | tr '\n' ' '; }

# rxq_show HOST: dpif-netdev/pmd-rxq-show of HOST's switch.
rxq_show() {
    host_use "$1"
    ovs-appctl -t "$VSWITCHD_CTL" dpif-netdev/pmd-rxq-show 2>&1
}

# rxqs_polled HOST PORT [measured]: PORT's rx queues listed under a "pmd
# thread" block of pmd-rxq-show and enabled (with "measured": and with a
# usage the PMD has measured, not "NOT AVAIL", which it shows until it has
# measured a whole interval of 5 s since its last reload, 5 to 10 s), as
# "QUEUE@CORE" on one line, sorted.
rxqs_polled() {
    rxq_show "$1" | awk -v port="$2" -v measured="${3:-}" '
        /^pmd thread numa_id/ { pmd = 1; core = $NF; sub(":", "", core); next }
        /^[^ ]/ { pmd = 0 }
        pmd && $1 == "port:" && $2 == port && /queue-id:/ && /\(enabled\)/ && !(measured && /NOT AVAIL/) {
            q = $0; sub(/.*queue-id: */, "", q); sub(/ .*/, "", q); print q "@" core
        }' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# wait_rxqs HOST PORT WANT TIMEOUT [measured]: until rxqs_polled (queues
# only) is WANT.
wait_rxqs() {
    local end=$((SECONDS + $4))
    while ((SECONDS <= end)); do
        [[ $(rxqs_polled "$1" "$2" "${5:-}" | sed 's/@[0-9]*//g') == "$3" ]] && return 0
        sleep 0.5
    done
    return 1
}

# rxq_cycles HOST PORT: has HOST's switch assign its rx queues to its PMDs
# again (dpif-netdev/pmd-rxq-rebalance) and prints the processing cycles it
# logs for each queue of PORT, "QUEUE:CYCLES ..." sorted: the cycles its
# PMD spent on the packets it received on that queue, over the intervals
# of 5 s since the PMD's last reload (lib/dpif-netdev.c counts them only
# for a poll that returned packets): more than 0, the queue carried frames
# (how many is not told: the first frame of a new flow costs its upcall).
rxq_cycles() {
    local h=$1 p=$2 off i lines
    host_use "$h"
    off=$(stat -c %s "$VSWITCHD_LOG")
    ovs-appctl -t "$VSWITCHD_CTL" dpif-netdev/pmd-rxq-rebalance >/dev/null || return 1
    for ((i = 0; i < 50; i++)); do
        lines=$(tail -c +$((off + 1)) "$VSWITCHD_LOG" | grep -F "assigned port '$p' rx queue")
        (($(grep -c . <<<"$lines") >= QUEUES)) && break
        sleep 0.1
    done
    sed -n 's/.*rx queue \([0-9]*\) (measured processing cycles \([0-9]*\)).*/\1:\2/p' <<<"$lines" |
        sort -n | tr '\n' ' ' | sed 's/ $//'
}

# cycles_all HOST PORT: rxq_cycles has every queue of PORT, each with
# cycles > 0, within COUNTER_WAIT seconds. Sets CYCLES.
cycles_all() {
    local end=$((SECONDS + COUNTER_WAIT))
    while ((SECONDS <= end)); do
        CYCLES=$(rxq_cycles "$1" "$2")
        [[ $(sed 's/:[1-9][0-9]*//g' <<<"$CYCLES") == "$(seq -s ' ' 0 $((QUEUES - 1)))" ]] && return 0
        sleep 2
    done
    return 1
}

# istat HOST PORT KEY: the port's Interface statistics:KEY (empty if none).
istat() {
    host_use "$1"
    vsctl --if-exists get Interface "$2" "statistics:$3" 2>/dev/null | tr -d '"'
}

# status_of HOST PORT KEY: a key of the port's Interface.status on HOST.
status_of() {
    host_use "$1"
    vsctl --if-exists get Interface "$2" "status:$3" 2>/dev/null | tr -d '"'
}

# queues_grow HOST PORT: both per-queue receive counters of PORT (what the
# guest sends on its transmit queues 0 and 1) grow, by at least 20 frames
# together within COUNTER_WAIT seconds, and each queue has at least a
# quarter of them: the guest's CPUs send alike, so each queue has about
# half; a guest that sent from one CPU only would still put a few frames
# on the other queue (the kernel's own ICMPv6, from either CPU). The first
# values OVS shows are the base (a port that just connected has none
# until the next refresh); an uneven sample is held against the base
# again at the next refresh (OVS's counters move every 5 s, and a vCPU of
# the guest under TCG on a busy machine may not send for one of them:
# seen once, after a migration, in a fresh-clone run of .ci/run), until
# COUNTER_WAIT. Sets GROWTH: "q0 A -> B, q1 C -> D (X% / Y%)", with the
# uneven samples before it.
queues_grow() {
    local h=$1 p=$2 a0 a1 b0 b1 d0 d1 end=$((SECONDS + COUNTER_WAIT)) uneven="" last="" sample
    a0=$(istat "$h" "$p" rx_q0_good_packets) a1=$(istat "$h" "$p" rx_q1_good_packets)
    GROWTH="q0 ${a0:-none}, q1 ${a1:-none}"
    while ((SECONDS <= end)); do
        sleep 1
        b0=$(istat "$h" "$p" rx_q0_good_packets) b1=$(istat "$h" "$p" rx_q1_good_packets)
        if [[ -z $a0 || -z $a1 ]]; then
            a0=$b0 a1=$b1
            continue
        fi
        [[ -n $b0 && -n $b1 ]] || continue
        d0=$((b0 - a0)) d1=$((b1 - a1))
        sample="q0 $a0 -> $b0, q1 $a1 -> $b1"
        ((d0 + d1 >= 20)) && sample+=" ($((100 * d0 / (d0 + d1)))% / $((100 * d1 / (d0 + d1)))%)"
        GROWTH="${uneven:+uneven first: $uneven; then }$sample"
        ((d0 + d1 >= 20)) || continue
        ((4 * d0 >= d0 + d1 && 4 * d1 >= d0 + d1)) && return 0
        [[ $sample != "$last" ]] && uneven+="${uneven:+, }$sample" last=$sample
    done
    return 1
}

# status_queues_check HOST PORT: the per-queue fields of csdpdk status (each
# port: rxqs [{queue, enabled, pmd_core, pmd_numa}], cross_numa, unpolled)
# on the last status output ($out), against the switch (pmd-rxq-show,
# Interface status:numa).
status_queues_check() {
    local h=$1 p=$2 port shown want numa cross kind=null
    port=$(jq -c --arg p "$p" '.result.ports[] | select(.port == $p)' <<<"$out")
    # pcheck DESCRIPTION COMMAND...: check, showing the port's status on failure.
    pcheck() {
        local desc=$1
        shift
        if "$@"; then ok "$desc"; else fail "$desc" "failed: $*" "status: $port"; fi
    }
    pcheck "$h: status lists $p's $QUEUES rx queues, each with a PMD core ($(jq -c '.rxqs' <<<"$port"))" \
        test "$(jq -r '[.rxqs[] | "\(.queue):\(.pmd_core != null)"] | sort | join(" ")' <<<"$port")" \
        = "$(seq -s ' ' -f '%g:true' 0 $((QUEUES - 1)))"
    # The switch's own view, QUEUE@CORE, and its PMDs' nodes.
    shown=$(rxqs_polled "$h" "$p")
    pcheck "... the PMD cores are the ones pmd-rxq-show names ($shown)" \
        test "$(jq -r '[.rxqs[] | "\(.queue)@\(.pmd_core)"] | sort | join(" ")' <<<"$port")" = "$shown"
    want=$(rxq_show "$h" | awk -v p="$p" '/^pmd thread numa_id/ { n = $4 } $1 == "port:" && $2 == p { print n }' | sort -u)
    pcheck "... and their NUMA nodes too (pmd_numa: $(jq -r '[.rxqs[].pmd_numa] | unique | map(tostring) | join(",")' <<<"$port"))" \
        test "$(jq -r '[.rxqs[].pmd_numa] | unique | map(tostring) | join(",")' <<<"$port")" = "$(tr '\n' ',' <<<"$want" | sed 's/,$//')"
    pcheck "... each queue enabled by the guest (enabled: $(jq -c '[.rxqs[].enabled]' <<<"$port"))" \
        test "$(jq -r '[.rxqs[].enabled] | all' <<<"$port")" = true
    pcheck "... the port is not flagged unpolled (unpolled: $(jq -r .unpolled <<<"$port"))" \
        test "$(jq -r .unpolled <<<"$port")" = false
    # cross_numa: whether a PMD on another node than the device's
    # (Interface status:numa) polls one of its queues.
    numa=$(status_of "$h" "$p" numa)
    [[ $want == "$numa" ]] && cross=false || cross=true
    pcheck "... cross_numa is $cross: the device is on node $numa, its PMDs on $(tr '\n' ' ' <<<"$want")(cross_numa: $(jq -r .cross_numa <<<"$port"))" \
        test "$(jq -r .cross_numa <<<"$port")" = "$cross"
    # counters: OVS's Interface statistics where it keeps them (client
    # mode), null where it keeps none (OVS 3.1's server mode: docs/ports.md).
    [[ -n $(istat "$h" "$p" rx_packets) ]] && kind=number
    pcheck "... its counters are OVS's statistics where the switch keeps them, null where not (here: $kind; rx_packets $(jq -r .counters.rx_packets <<<"$port"))" \
        test "$(jq -r '[.counters | .rx_packets, .rx_bytes, .tx_packets, .tx_bytes] | map(type) | unique | join(",")' <<<"$port")" = "$kind"
}

# queues_work HOST PORT WHAT: on HOST, PORT has the VM's 2 queue pairs:
# 4 vrings, 2 rx queues polled, both carrying the guest's frames, and
# csdpdk status reports them.
queues_work() {
    local h=$1 p=$2 what=$3 t all type
    all=$(seq -s ' ' 0 $((QUEUES - 1)))
    type=$(host_use "$h"; vsctl get Interface "$p" type)
    check "$what: $p is connected ($(status_of "$h" "$p" status))" test "$(status_of "$h" "$p" status)" = connected
    check "... with $((2 * QUEUES)) vrings (status:num_of_vrings $(status_of "$h" "$p" num_of_vrings))" \
        test "$(status_of "$h" "$p" num_of_vrings)" = $((2 * QUEUES))
    t=$(lv_now)
    if wait_rxqs "$h" "$p" "$all" 30; then
        ok "... its rx queues $(rxqs_polled "$h" "$p" | sed 's/@/ on core /g; s/ \([0-9]* on\)/, \1/g') are enabled, each polled by a PMD (pmd-rxq-show, $(lv_since "$t") s)"
    else
        fail "... its rx queues $all are enabled, each polled by a PMD (pmd-rxq-show)" "$(rxq_show "$h")"
    fi
    # OVS 3.1.0 keeps vhost statistics for client-mode ports only: it
    # registers only those with RTE_VHOST_USER_NET_STATS_ENABLE
    # (lib/netdev-dpdk.c), and its get_stats fails (EPROTO) for the others.
    if [[ $type == dpdkvhostuser && -z $(istat "$h" "$p" rx_q0_good_packets) ]]; then
        skip "... the guest's frames arrive on both queues, each at least a quarter of them (statistics rx_qN_good_packets)" \
            "OVS $(host_use "$h"; vsctl get Open_vSwitch . ovs_version | tr -d '"') has no statistics for a server-mode (dpdkvhostuser) port"
    elif queues_grow "$h" "$p"; then
        ok "... the guest's frames arrive on both queues, each at least a quarter of them ($GROWTH: statistics rx_qN_good_packets)"
    else
        fail "... the guest's frames arrive on both queues, each at least a quarter of them" "$GROWTH" \
            "$(host_use "$h"; vsctl get Interface "$p" statistics | tr ',' '\n' | grep -E '_q[0-9]+_good_packets')" \
            "$(grep -E 'queues|irq' "$(mig_console "$h")")"
    fi
    [[ -n $(istat "$h" "$p" tx_q0_good_packets) ]] &&
        echo "# $h: $p sent to the guest: tx_q0 $(istat "$h" "$p" tx_q0_good_packets), tx_q1 $(istat "$h" "$p" tx_q1_good_packets) good packets"
    if cycles_all "$h" "$p"; then
        ok "... its PMD spent cycles on frames from each queue (rx queue:cycles $CYCLES, logged at pmd-rxq-rebalance)"
    else
        fail "... its PMD spent cycles on frames from each queue (pmd-rxq-rebalance's log)" "rx queue:cycles ${CYCLES:-none}"
    fi
    if wait_rxqs "$h" "$p" "$all" 20 measured; then
        ok "... and pmd-rxq-show measures each queue's usage (not NOT AVAIL)"
    else
        fail "... and pmd-rxq-show measures each queue's usage (not NOT AVAIL)" "$(rxq_show "$h")"
    fi
    hrun "$h" status <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
    check "... csdpdk status: $p, connected, queues: $(jqo '.result.ports[0].queues')" \
        test "$status $(jqo '[.result.ports[] | "\(.port) \(.connected) \(.queues)"] | join(",")')" = "0 $p true $QUEUES"
    status_queues_check "$h" "$p"
}

# boot HOST MODE: plugs the VM on HOST in MODE, defines and starts it, and
# waits for its frames. Sets PORT.
boot() {
    local h=$1 mode=$2 t
    hrun "$h" plug <<<"$(vm_request "$mode")"
    PORT=$(jqo '.result.ports[0].port')
    check "$h ($mode): plug makes the NIC's port ($PORT, $(jqo '.result.ports[0].type'))" \
        test "$status $(jqo '[.result.ports[] | .created] | join(" ")')" = "0 true"
    jqo .result.domain_xml >"$T/$NAME.xml"
    check "... the domain asks for $QUEUES queues (<driver queues='$QUEUES'/>) and $VCPUS vCPUs" \
        test "$(grep -cE "<driver queues=[\"']$QUEUES[\"']/>" "$T/$NAME.xml") $(grep -oE '<vcpu[^>]*>[0-9]+' "$T/$NAME.xml" | sed 's/.*>//')" = "1 $VCPUS"
    check "... libvirt defines it, validating it" lvsh "$h" define --validate "$T/$NAME.xml"
    rm -f "$(mig_console "$h")"
    t=$(lv_now)
    check "... libvirt starts it" lvsh "$h" start "$NAME"
    if frames_wait "$h" "$MAC" 5 "$t" 120; then
        ok "... its frames cross $h's switch ($(lv_since "$t") s after start)"
    else
        fail "... its frames cross $h's switch" "$(tail -n 5 "$(mig_console "$h")")" \
            "$(tail -n 5 "$T/$h/lv/log/qemu/$NAME.log")"
        return 1
    fi
    # XPS: transmit queue N is CPU N's (masks 1 and 2), each CPU sends.
    guest_wait_console "$(mig_console "$h")" 'csdpdk-guest: eth0 queues' 10
    check "... the guest's kernel uses $QUEUES queue pairs, one per vCPU ($(grep -oE 'eth0 queues.*' "$(mig_console "$h")" | head -n 1))" \
        grep -q "csdpdk-guest: eth0 queues rx $QUEUES tx $QUEUES, xps_cpus 1 2 on $VCPUS CPUs" "$(mig_console "$h")"
}

# gone HOST: the VM is destroyed and undefined on HOST, unplug removes its
# ports there; nothing of it is left, and the OVSDB invariants hold.
gone() {
    local h=$1
    lvsh "$h" destroy "$NAME" >/dev/null 2>&1
    lvsh "$h" undefine "$NAME" >/dev/null 2>&1
    hrun "$h" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
    check "$h: the VM destroyed, unplug removes its port (status $status, removed: $(jqo '.result.removed | join(" ")'))" \
        test "$status $(ports_on "$h")/$(domains_on "$h")" = "0 /"
    hrun "$h" gc
    check "... gc finds nothing" test "$status $(jqo '.result.orphans | length')" = "0 0"
    host_use "$h"
    check "... $h's OVSDB holds its invariants" test "$(invariants_check "" "" | tr '\n' ' ')" = ""
}

# ---- 1. server mode (CloudStack's default): OVS owns the socket ----

if boot h1 server; then
    queues_work h1 "$PORT" "h1 (server mode)"
fi
gone h1

# ---- 2. client mode: QEMU owns the socket; then a live migration to h2 ----

if boot h1 client; then
    queues_work h1 "$PORT" "h1 (client mode)"
    OLD=$PORT
    if mig_prepare h1 h2 client op-mq; then
        NEW=$(jq -r '.result.ports[0].port' <<<"$PREPARED")
        ok "h1 -> h2 (client): migrate-prepare on h2 ($NEW), migrate-check and migrate-rewrite on h1"
        check "... the destination's XML keeps the $QUEUES queues" grep -qE "<driver queues=[\"']$QUEUES[\"']/>" "$T/dest.xml"
        rm -f "$(mig_console h2)"
        mig_migrate h1 h2
        if [[ $MIGRATE_STATUS == 0 ]]; then
            ok "h1 -> h2: libvirt migrates the VM live (${FIG[migrate]} s)"
            check "... it runs on h2, and is gone from h1" \
                test "$(domain_state h2 "$NAME") / $(domains_on h1)" = "running / "
            check "... its frames cross h2's switch" frames_wait h2 "$MAC" 5 "$MIGRATE_T0" 30
            queues_work h2 "$NEW" "h2 (after the migration)"
            check "... the guest did not boot again on h2" \
                test "$(grep -c 'csdpdk-guest: init' "$(mig_console h2)" 2>/dev/null)" = 0
            hrun h1 unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
            check "h1: unplug removes the VM's old port ($(jqo '.result.removed | join(" ")'))" \
                test "$status $(jqo '.result.removed | join(" ")')" = "0 $OLD"
            hrun h2 migrate-finish <<<'{"op_id": "op-mq"}'
            check "h2: migrate-finish verifies the port, every vring of its $QUEUES queues, and makes it the VM's own" \
                test "$status $(jqo .result.verified) $(jqo '.result.ports | join(" ")') $(jqo ".result.queues[\"$NEW\"]")" \
                = "0 true $NEW $QUEUES"
        else
            fail "h1 -> h2: virsh migrate --live" "$MIGRATE_OUT" "$(mig_diag h2)"
        fi
    else
        fail "h1 -> h2 (client): migrate-prepare, migrate-check and migrate-rewrite" "$MIG_FAILED"
    fi
fi
gone h1
gone h2

done_testing
