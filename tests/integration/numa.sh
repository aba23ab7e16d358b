#!/usr/bin/env bash
# NUMA locality against the real switch (docs/ports.md, "NUMA"): the DPDK
# build of ovs-vswitchd started with --dummy-numa=0,1 (OVS's own test
# option: CPU 0 on node 0, CPU 1 on node 1; it does not pin its PMD threads
# then, so nothing here is timed), pmd-cpu-mask=0x2 (a PMD on node 1 only)
# and a port whose guest is dpdk-testpmd (net_virtio_user): its memory, so
# the vhost device, is on node 0 (all of this machine's memory is), and
# OVS polls it from node 1. status and migrate-check must flag that exactly
# as dpif-netdev/pmd-rxq-show shows it, plug must warn of it with the
# switch's own PMDs, capabilities must name the node and the setting; with
# the mask on node 0 (0x1) nothing is flagged. Also: status's prometheus
# file read by the real node_exporter; a physical DPDK port (net_null) on
# its node; a queue no PMD polls; and, restarted without --dummy-numa (its
# PMD pinned to a real core; still nothing timed) with the mask unset, the
# core of OVS's default PMD predicted from sysfs. What this machine cannot
# show (memory on another node, the cost of crossing) is in
# docs/performance.md. The rules on fabricated facts: tests/unit/test_numa.c
# and tests/golden/numa.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"

vswitchd_available || { skip "NUMA locality against a real OVS-DPDK" "$DPDK_UNAVAILABLE"; done_testing; exit; }

ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge br0
SOCKDIR=$T/sock
mkdir -p "$SOCKDIR"
agent_properties "$T/agent.properties" "$SOCKDIR"
VSWITCHD_EXTRA_ARGS=--dummy-numa=0,1 vswitchd_start "$T/ovs" ||
    { fail "start ovs-vswitchd-dpdk --dummy-numa=0,1"; done_testing; exit; }
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default)
VM1=$(uuid_for 1) MAC1=$(mac_for 1 1)

# rxq_node PORT: the NUMA node of the PMD that polls PORT's queue 0, as
# ovs-vswitchd itself says (empty when none does).
rxq_node() {
    ovs-appctl -t "$VSWITCHD_CTL" dpif-netdev/pmd-rxq-show |
        awk -v p="$1" '/^pmd thread numa_id/ { n = $4 } $1 == "port:" && $2 == p && $4 == "0" { print n }'
}

# status_of PORT FILTER: jq FILTER on PORT's entry of csdpdk status.
status_of() {
    run "${C[@]}" status </dev/null
    jq -r --arg p "$1" ".result.ports[] | select(.port == \$p) | $2" <<<"$out"
}

# domain NODE PORT [VM MAC]: a domain whose memory is bound to host node
# NODE, with a vhost-user interface on PORT (VM 1's, client mode, unless
# VM and MAC are given).
domain() {
    printf "<domain type='kvm'><name>numa-vm</name><uuid>%s</uuid><memory unit='KiB'>1048576</memory><vcpu>1</vcpu><numatune><memory mode='strict' nodeset='%s'/></numatune><cpu><numa><cell id='0' cpus='0' memory='1048576' unit='KiB' memAccess='shared'/></numa></cpu><memoryBacking><hugepages/></memoryBacking><devices><interface type='vhostuser'><mac address='%s'/><source type='unix' path='%s' mode='server'/><target dev='%s'/><model type='virtio'/></interface></devices></domain>" \
        "${3:-$VM1}" "$1" "${4:-$MAC1}" "$SOCKDIR/$2" "$2"
}

# render_placed NODE: render of VM 6 bound to NODE, judged against this
# host's capabilities result ($CAPS), as a host_report.
render_placed() {
    run "${C[@]}" render <<<"$(plug_request "$(uuid_for 6)" client "$(nic "$(mac_for 6 1)" br0)" |
        jq -c --arg d "$(domain "$1" x)" --argjson r "$CAPS" '.domain_xml = $d | .host_report = $r | .nics[0].port = "csdpdk-99"')"
}

# plug_placed N NODE: plugs VM N (one client-mode NIC) with a domain bound
# to NODE, --dry-run (nothing is made; the judgement is the same).
plug_placed() {
    local dom
    dom=$(domain "$2" x | jq -Rs .)
    run "${C[@]}" --dry-run plug <<<"$(plug_request "$(uuid_for "$1")" client "$(nic "$(mac_for "$1" 1)" br0)" |
        jq -c ".domain_xml = $dom")"
}

# ---- a port OVS polls from another node ----
run "${C[@]}" plug <<<"$(plug_request "$VM1" client "$(nic "$MAC1" br0)")"
P1=$(jqo '.result.ports[0].port')
check "plug of VM 1 ($P1)" expect_ok
testpmd_start vm1 "$SOCKDIR/$P1" server 2>"$T/testpmd.err" || fail "testpmd on $P1" "$(cat "$T/testpmd.err")"
link_up "$P1" 15 || fail "the link of $P1 comes up" "$(vhost_log "$P1")"
check "OVS placed the vhost device on node 0 (Interface status:numa)" test "$(iface_status "$P1" numa)" = 0
check "pmd-rxq-show: node 1's PMD polls its queue" test "$(rxq_node "$P1")" = 1
check "OVS's log says so (no non-isolated pmd on node 0)" \
    grep -q "There's no available (non-isolated) pmd thread on numa node 0. Port '$P1'" "$VSWITCHD_LOG"
check "status: cross_numa, queue 0 on core 1 of node 1, not unpolled, 1 queue" \
    test "$(status_of "$P1" '"\(.cross_numa) \(.rxqs[0].pmd_core) \(.rxqs[0].pmd_numa) \(.unpolled) \(.queues)"')" \
    = "true 1 $(rxq_node "$P1") false 1"
run "${C[@]}" status </dev/null
check "... and the switch's PMDs: core 1 on node 1, not isolated" \
    test "$(jq -c '.result.pmds' <<<"$out")" = '[{"core":1,"isolated":false,"numa":1}]'
# Interface.statistics: written by ovs-vswitchd every 5 s (stats-update-interval).
for _ in $(seq 60); do [[ $(vsctl get Interface "$P1" statistics:tx_packets 2>/dev/null) =~ ^[1-9] ]] && break; sleep 0.2; done
run "${C[@]}" status </dev/null
check "status: the port's counters are OVS's Interface statistics (tx $(vsctl get Interface "$P1" statistics:tx_packets) packets: the link probes)" \
    test "$(jqo '.result.ports[0].counters | "\(.rx_packets) \(.tx_packets) \(.tx_dropped)"')" \
    = "$(vsctl get Interface "$P1" statistics:rx_packets) $(vsctl get Interface "$P1" statistics:tx_packets) $(vsctl get Interface "$P1" statistics:tx_dropped)"
run "${C[@]}" --format text status </dev/null
check "status --format text: POLL is CROSS, within 100 columns" \
    test "$(grep -c " CROSS$" <<<"$out") $(awk 'length > 100' <<<"$out" | wc -l)" = "1 0"
run "${C[@]}" --format text --verbose status </dev/null
check "... --verbose names the queue's core and node, within 100 columns" \
    test "$(grep -c "rx queues: 0 on core 1 (node 1)" <<<"$out") $(awk 'length > 100' <<<"$out" | wc -l)" = "1 0"
run "${C[@]}" --format prometheus status </dev/null
check "status --format prometheus: csdpdk_up 1, one port, cross-NUMA 1 for $P1 with its VM and MAC" \
    test "$(grep -c '^csdpdk_up 1$' <<<"$out") $(grep -c '^csdpdk_ports 1$' <<<"$out") $(grep -c "^csdpdk_port_cross_numa{port=\"$P1\",vm=\"$VM1\",mac=\"$MAC1\",bridge=\"br0\"} 1$" <<<"$out")" \
    = "1 1 1"
check "... each family with HELP and TYPE, every sample of a family after its TYPE" \
    awk '/^# HELP/ { h[$3] = 1; next } /^# TYPE/ { if (!($3 in h)) exit 1; t[$3] = 1; next } /^#/ { next }
         { m = $1; sub(/\{.*/, "", m); if (!(m in t)) exit 1 }' <<<"$out"
check "... counters are counters (_total), with OVS's value" \
    test "$(grep -c '^# TYPE csdpdk_port_tx_packets_total counter$' <<<"$out") $(grep "^csdpdk_port_tx_packets_total{port=\"$P1\"" <<<"$out" | awk '{ print $2 }')" \
    = "1 $(vsctl get Interface "$P1" statistics:tx_packets)"

# The real consumer: node_exporter's textfile collector (Debian's
# prometheus-node-exporter, started here with that collector only) reads
# what status wrote, as the timer in docs/ports.md leaves it, and serves
# every sample; a file it cannot parse would show as
# node_textfile_scrape_error 1 and none of its samples.
PROM=$out
NE_DIR=$T/textfile
mkdir -p "$NE_DIR"
NE_ADDR=127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$NE_DIR" --web.listen-address="$NE_ADDR" >"$T/node_exporter.log" 2>&1 &
daemon_pids+=($!)
# scrape: node_exporter's /metrics, the csdpdk_ and node_textfile_ lines.
scrape() {
    python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
        "http://$NE_ADDR/metrics" 2>/dev/null | grep -E '^(csdpdk_|node_textfile_scrape_error )'
}
for _ in $(seq 300); do scrape >/dev/null && break; sleep 0.1; done
printf '%s\n' "$PROM" >"$NE_DIR/csdpdk.prom"
out=$(scrape)
check "node_exporter's textfile collector parses status's file: no scrape error" \
    grep -qx 'node_textfile_scrape_error 0' <<<"$out"
grep -q 'level=error' "$T/node_exporter.log" && fail "node_exporter logged an error" "$(grep 'level=error' "$T/node_exporter.log")"
check "... and serves each of its $(grep -vc '^#' <<<"$PROM") samples" \
    test "$(grep -c '^csdpdk_' <<<"$out")" = "$(grep -vc '^#' <<<"$PROM")"
check "... cross-NUMA 1 for $P1, labelled with its VM, MAC and bridge" \
    grep -qx "csdpdk_port_cross_numa{bridge=\"br0\",mac=\"$MAC1\",port=\"$P1\",vm=\"$VM1\"} 1" <<<"$out"
run --ovsdb "unix:$T/no-such.sock" --libvirt test:///default --format prometheus status </dev/null
printf '%s\n' "$out" >"$NE_DIR/csdpdk.prom"
out=$(scrape)
check "... OVSDB unreachable: the file with its error comment parses too, csdpdk_up 0" \
    test "$(grep -cx 'node_textfile_scrape_error 0' <<<"$out") $(grep -x 'csdpdk_up.*' <<<"$out")" = "1 csdpdk_up 0"

# plug judges with the switch's own PMDs (node 1), not the mask on sysfs.
plug_placed 2 0
check "plug of a VM bound to node 0: one warning 'OVS will poll cross-NUMA: node 0', verdict cross_numa, PMDs on node 1" \
    test "$(jq '[.warnings[] | select(startswith("OVS will poll cross-NUMA: node 0"))] | length' <<<"$out") $(jqo '.result.locality.verdict') $(jqo '.result.locality.pmd_nodes | tostring')" \
    = "1 cross_numa [1]"
plug_placed 3 1
check "plug of a VM bound to node 1: local, no NUMA warning" \
    test "$(jqo '.result.locality.verdict') $(jq '[.warnings[] | select(test("NUMA"))] | length' <<<"$out")" = "local 0"

run "${C[@]}" capabilities </dev/null
CAPS=$(jq -c .result <<<"$out")
check "capabilities: PMDs from ovs-vswitchd, node 0 none, node 1 core 1; a warning names node 0 and pmd-cpu-mask" \
    test "$(jq -r '.result | "\(.pmd_source) \([.numa[] | "\(.node):\(.pmd_cores)"] | join(" "))"' <<<"$out") $(jq '[.warnings[] | select(startswith("NUMA node 0 has no PMD thread (pmd-cpu-mask=0x2)"))] | length' <<<"$out")" \
    = "ovs-vswitchd 0:[] 1:[1] 1"
render_placed 0
check "render with this host's capabilities as host_report: bound to node 0, cross_numa and its warning, as plug" \
    test "$(jqo '.result.locality.verdict') $(jq '[.warnings[] | select(startswith("OVS will poll cross-NUMA: node 0"))] | length' <<<"$out")" \
    = "cross_numa 1"

# prepare ARGS...: migrate-prepare --dry-run of VM 5 bound to node 0 (the
# destination's judgement; this host's capability fails for other reasons
# here, no hugepages: the check numa is made all the same).
prepare() {
    local dom
    dom=$(domain 0 x | jq -Rs .)
    run "${C[@]}" --dry-run migrate-prepare <<<"$(plug_request "$(uuid_for 5)" client "$(nic "$(mac_for 5 1)" br0)" |
        jq -c ".domain_xml = $dom | .op_id = \"numa-1\"")"
}
prepare
check "migrate-prepare: its check numa passes with the cross-NUMA warning, locality cross_numa" \
    test "$(jqo '[.result.checks[] | select(.id == "numa") | .ok] | tostring') $(jqo '.result.locality.verdict') $(jq '[.warnings[] | select(startswith("OVS will poll cross-NUMA: node 0"))] | length' <<<"$out")" \
    = "[true] cross_numa 1"
PREP=$(jq -c .result <<<"$out")
run "${C[@]}" migrate-check <<<"$(jq -n --arg d "$(domain 0 "$P1")" --argjson r "$PREP" '{domain_xml: $d, destination_report: $r}')"
check "migrate-check with migrate-prepare's report: the destination's cross-NUMA is a warning" \
    test "$(jqo '.result.locality.destination.verdict') $(jq '[.warnings[] | select(startswith("on the destination OVS would poll"))] | length' <<<"$out")" \
    = "cross_numa 1"

# As the agent's PrepareForMigration calls it: no domain XML, so prepare
# cannot place the VM; its report carries the destination's NUMA facts,
# and the source's migrate-check judges the running domain with them.
run "${C[@]}" --dry-run migrate-prepare <<<"$(plug_request "$(uuid_for 5)" client "$(nic "$(mac_for 5 1)" br0)" |
    jq -c '.op_id = "numa-2"')"
check "migrate-prepare without the domain XML: locality unknown, and its report has this switch's NUMA facts (2 nodes, pmd-cpu-mask)" \
    test "$(jqo '.result.locality.verdict') $(jqo '.result.host.numa | length') $(jqo '.result.host.ovs.other_config["pmd-cpu-mask"]')" \
    = "unknown 2 $(vsctl get Open_vSwitch . other_config:pmd-cpu-mask | tr -d '"')"
PREP=$(jq -c .result <<<"$out")
run "${C[@]}" migrate-check <<<"$(jq -n --arg d "$(domain 0 "$P1")" --argjson r "$PREP" '{domain_xml: $d, destination_report: $r}')"
check "... migrate-check with that report judges the running domain (bound to node 0) there: cross_numa, its warning" \
    test "$(jqo '.result.locality.destination.verdict') $(jq '[.warnings[] | select(startswith("on the destination OVS would poll"))] | length' <<<"$out")" \
    = "cross_numa 1"

run "${C[@]}" migrate-check <<<"$(jq -n --arg d "$(domain 0 "$P1")" --argjson r "$CAPS" '{domain_xml: $d, destination_report: $r}')"
check "migrate-check: the source's port is flagged as pmd-rxq-show has it, and the destination would poll cross-NUMA" \
    test "$(jqo '.result.locality.source_ports[0] | "\(.port) \(.cross_numa) \(.rxqs[0].pmd_numa)"') $(jqo '.result.locality.destination.verdict') $(jq '[.warnings[] | select(test("cross-NUMA"))] | length' <<<"$out")" \
    = "$P1 true $(rxq_node "$P1") cross_numa 2"

# ---- the mask on node 0: nothing is flagged ----
vsctl set Open_vSwitch . other_config:pmd-cpu-mask=0x1
vswitchd_sync
for _ in $(seq 50); do [[ $(rxq_node "$P1") == 0 ]] && break; sleep 0.1; done
check "pmd-cpu-mask=0x1: pmd-rxq-show has node 0's PMD poll $P1" test "$(rxq_node "$P1")" = 0
check "status: not cross_numa, queue 0 on core 0 of node 0" \
    test "$(status_of "$P1" '"\(.cross_numa) \(.rxqs[0].pmd_core) \(.rxqs[0].pmd_numa)"')" = "false 0 0"
run "${C[@]}" --format prometheus status </dev/null
check "... prometheus: cross-NUMA 0" grep -q "^csdpdk_port_cross_numa{port=\"$P1\".*} 0$" <<<"$out"
plug_placed 2 0
check "plug of a VM bound to node 0: local, no NUMA warning" \
    test "$(jqo '.result.locality.verdict') $(jq '[.warnings[] | select(test("NUMA"))] | length' <<<"$out")" = "local 0"
run "${C[@]}" capabilities </dev/null
CAPS=$(jq -c .result <<<"$out")
check "capabilities: no NUMA warning" test "$(jq '[.warnings[] | select(test("NUMA"))] | length' <<<"$out")" = 0
# A physical DPDK port (DPDK's net_null vdev: no device needed) on the
# node its status:numa_id gives, as capabilities reports it.
vsctl add-port br0 phys0 -- set Interface phys0 type=dpdk options:dpdk-devargs=net_null0
vswitchd_sync
for _ in $(seq 300); do [[ -n $(iface_status phys0 numa_id) ]] && break; sleep 0.1; done
PHYS_NODE=$(iface_status phys0 numa_id)
[[ $PHYS_NODE =~ ^-?[0-9]+$ ]] || fail "OVS opened phys0 (net_null0) and says its node" "$(vsctl list Interface phys0)"
PHYS_NODE=$((PHYS_NODE < 0 ? 0 : PHYS_NODE)) # -1 (DPDK's SOCKET_ID_ANY) counts as node 0
run "${C[@]}" capabilities </dev/null
check "a physical DPDK port (net_null0, status:numa_id $PHYS_NODE): capabilities lists it on that node, and on no other" \
    test "$(jq -c '[.result.numa[] | select(.physical_ports | index("phys0")) | .node]' <<<"$out")" = "[$PHYS_NODE]"
run "${C[@]}" --format text capabilities </dev/null
check "... the text's lines of node $PHYS_NODE name it" \
    test "$(grep -A1 "^NUMA node $PHYS_NODE: " <<<"$out" | grep -c "^    .*; physical ports phys0$")" = 1
vsctl del-port br0 phys0
render_placed 0
check "render with the new capabilities: bound to node 0, local, no NUMA warning" \
    test "$(jqo '.result.locality.verdict') $(jq '[.warnings[] | select(test("NUMA"))] | length' <<<"$out")" = "local 0"
run "${C[@]}" migrate-check <<<"$(jq -n --arg d "$(domain 0 "$P1")" --argjson r "$CAPS" '{domain_xml: $d, destination_report: $r}')"
check "migrate-check: nothing flagged, local on the destination" \
    test "$(jqo '.result.locality.source_ports[0].cross_numa') $(jqo '.result.locality.destination.verdict') $(jq '[.warnings[] | select(test("cross-NUMA"))] | length' <<<"$out")" \
    = "false local 0"

# ---- no PMD that can poll at all: plug refuses, changing nothing ----
# VM 8's port (no guest on it) is plugged first: when the affinity below
# isolates the only PMD for VM 1's queue, OVS polls VM 8's queue nowhere.
VM8=$(uuid_for 8) MAC8=$(mac_for 8 1)
run "${C[@]}" plug <<<"$(plug_request "$VM8" client "$(nic "$MAC8" br0)")"
P8=$(jqo '.result.ports[0].port')
vsctl set Open_vSwitch . other_config:pmd-cpu-mask=0x1 -- set Interface "$P1" other_config:pmd-rxq-affinity=0:0
vswitchd_sync
for _ in $(seq 50); do ovs-appctl -t "$VSWITCHD_CTL" dpif-netdev/pmd-rxq-show | grep -q "isolated : true" && break; sleep 0.1; done
check "OVS polls no queue of VM 8's $P8: its log says so, pmd-rxq-show lists none" \
    bash -c 'grep -q "No non-isolated pmd on any numa available for port .$1. rx queue 0.*will not be polled" "$2" &&
             ! ovs-appctl -t "$3" dpif-netdev/pmd-rxq-show | grep -q "port: $1 "' _ "$P8" "$VSWITCHD_LOG" "$VSWITCHD_CTL"
check "status: $P8 unpolled (its queue 0 on no core), $P1 not" \
    test "$(status_of "$P8" '"\(.unpolled) \(.rxqs[0].pmd_core)"') $(status_of "$P1" .unpolled)" = "true null false"
run "${C[@]}" --format text status </dev/null
check "... text: POLL is NONE for $P8" grep -qE "^$P8 .* NONE$" <<<"$out"
run "${C[@]}" --format prometheus status </dev/null
check "... prometheus: csdpdk_port_unpolled 1 for $P8" grep -q "^csdpdk_port_unpolled{port=\"$P8\",vm=\"$VM8\".*} 1$" <<<"$out"
run "${C[@]}" migrate-check <<<"$(jq -n --arg d "$(domain 0 "$P8" "$VM8" "$MAC8")" --argjson r "$CAPS" '{domain_xml: $d, destination_report: $r}')"
check "... migrate-check of VM 8: its port's queue is flagged unpolled on the source, with a warning" \
    test "$(jqo '.result.locality.source_ports[0] | "\(.port) \(.unpolled)"') $(jq '[.warnings[] | select(test("has a queue no PMD thread polls on the source"))] | length' <<<"$out")" \
    = "$P8 true 1"
before=$(vsctl list-ports br0 | wc -l)
run "${C[@]}" plug <<<"$(plug_request "$(uuid_for 4)" client "$(nic "$(mac_for 4 1)" br0)")"
check "every PMD isolated by pmd-rxq-affinity: plug is numa_refused, exit 69, nothing made ($(jqo .error.message | cut -c1-60)...)" \
    test "$(jqo .error.code) $status $(vsctl list-ports br0 | wc -l)" = "numa_refused 69 $before"
prepare
check "... migrate-prepare: the check numa fails with that reason, not eligible (exit 1)" \
    test "$status $(jqo '.result.checks[] | select(.id == "numa") | "\(.ok) \(.detail | startswith("no non-isolated PMD thread"))"')" = "1 false true"
run "${C[@]}" capabilities </dev/null
run "${C[@]}" migrate-check <<<"$(jq -n --arg d "$(domain 0 "$P1")" --argjson r "$(jq -c .result <<<"$out")" '{domain_xml: $d, destination_report: $r}')"
check "... migrate-check with such a destination's capabilities: the check numa fails, not eligible" \
    test "$status $(jqo '.result.checks[] | select(.id == "numa") | .ok')" = "1 false"
vsctl remove Interface "$P1" other_config pmd-rxq-affinity
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM8\"}}"
check "unplug of VM 8" test "$status $(vsctl list-ports br0 | grep -c "^$P8$")" = "0 0"

# ---- pmd-cpu-mask unset, on this machine's own NUMA (no --dummy-numa) ----
# OVS then starts one PMD on each node, on the first CPU it lists for the
# node: the first cpuN of /sys/devices/system/node/nodeN as readdir gives
# them (sysfs's order is its names' hashes, not their numbers). While the
# switch runs csdpdk asks it; when none answers it predicts the same core.
vswitchd_stop
vsctl remove Open_vSwitch . other_config pmd-cpu-mask
vswitchd_run || fail "restart ovs-vswitchd without --dummy-numa"
live_pmds() { ovs-appctl -t "$VSWITCHD_CTL" dpif-netdev/pmd-rxq-show | awk '/^pmd thread numa_id/ { sub(":", "", $6); printf "%s:%s ", $4, $6 }'; }
for _ in $(seq 300); do [[ -n $(live_pmds) ]] && break; sleep 0.1; done
LIVE=$(live_pmds)
run "${C[@]}" capabilities </dev/null
check "mask unset: ovs-vswitchd runs one PMD a node ($LIVE), and capabilities has them from it" \
    test "$(jqo .result.pmd_source) $(jq -r '[.result.numa[] | "\(.node):\(.pmd_cores[])"] | join(" ")' <<<"$out") " = "ovs-vswitchd $LIVE"
vswitchd_stop
run "${C[@]}" capabilities </dev/null
check "... with the switch stopped, csdpdk predicts the same core(s) (sysfs's order: $(ls -f /sys/devices/system/node/node0 | grep -E '^cpu[0-9]+$' | tr '\n' ' '))" \
    test "$(jqo .result.pmd_source) $(jq -r '[.result.numa[] | "\(.node):\(.pmd_cores[])"] | join(" ")' <<<"$out") " = "default $LIVE"

testpmd_stop vm1
run "${C[@]}" unplug <<<"{\"vm\": {\"uuid\": \"$VM1\"}}"
check "unplug of VM 1 leaves the bridge empty" test "$(vsctl list-ports br0 | wc -l)" = 0
done_testing
