# Frames through two vhost-user ports, for the data-plane benchmark
# (tests/bench/dataplane.sh, make bench-dataplane) and its reduced form in
# make check (tests/integration/dataplane.sh). Source it after harness.sh
# and dpdk.sh. The recipe is ../shared/NUMA-DATAPLANE.md, sections 7 and 9.
#
# One ovs-vswitchd-dpdk (dp_switch_start), one netdev bridge br0 with
# exactly two flows, in_port=P1 -> P2 and P2 -> P1. The "guest" is a
# dpdk-testpmd with two net_virtio_user ports forwarding io, paired, on
# CPU 0: a closed loop once 'start tx_first' has put one burst on each
# port. The switch is the OVS PMD thread on CPU 1 (pmd-cpu-mask=0x2), or,
# for the baseline, a second dpdk-testpmd with two net_vhost ports
# forwarding io, paired, on CPU 1: one busy-polling thread per CPU. A
# configuration is OWNER-MODE-Nq:
#   OWNER  csdpdk (csdpdk plug of a VM with two NICs), cloudstack (ovs-vsctl
#          as CloudStack's agent does it, tests/bench/cloudstack-plug.sh),
#          baseline (no OVS: the testpmd switch);
#   MODE   client (dpdkvhostuserclient: the guest owns the socket, server=1)
#          or server (dpdkvhostuser: OVS, or the testpmd switch, owns it);
#   N      queue pairs per port, 1 or 2 (the guest's and the baseline's
#          --rxq/--txq; OVS takes the count from the guest).
# dp_up CONFIG makes one (ports, flows, testpmds, links up), dp_traffic
# starts the loop, dp_down takes it all away again; the counters are
# dp_guest_stats (testpmd), dp_flow_packets, dp_port_packets,
# dp_tx_failure_drops and dp_pmd_stats (OVS).
#
# Memory (DP_MEMORY, before dp_switch_start): nohuge (anonymous memory,
# memfd-backed for vhost-user: what the other DPDK tests here use) or huge
# (2 MiB hugepages, which the caller reserves: DP_PAGES of them; no
# hugetlbfs mount is needed, DPDK's --in-memory uses memfd with
# MFD_HUGETLB). Every process uses the same kind, OVS and both testpmds.

DP_MEMORY=${DP_MEMORY:-nohuge}
DP_PAGES=256            # 2 MiB pages the huge mode needs: 64 per testpmd
                        # (dp_eal_memory) and what OVS takes (measured: ~75)
DP_CONFIGS_ALL="csdpdk-client-1q cloudstack-client-1q baseline-client-1q
csdpdk-client-2q cloudstack-client-2q baseline-client-2q
csdpdk-server-1q cloudstack-server-1q baseline-server-1q
csdpdk-server-2q cloudstack-server-2q baseline-server-2q"
DP_OWNER= DP_MODE= DP_QUEUES=   # of the configuration dp_up made
DP_PORTS=()                     # its two OVS ports (none for the baseline)
DP_OFPORTS=()                   # and their OpenFlow numbers
DP_SOCKS=()                     # its two vhost-user sockets
DP_ERROR=                       # why dp_up or dp_traffic failed
DP_VM=00000000-0000-4000-8000-0000000000dd
DP_MACS=(02:00:00:00:dd:01 02:00:00:00:dd:02)
DP_BENCH_DIR=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../bench")   # cloudstack-plug.sh

# dp_available: true if the benchmark can run here (vswitchd_available,
# and CPUs 0 and 1 for the two busy-polling threads); else false with the
# reason in DP_UNAVAILABLE.
DP_UNAVAILABLE=
dp_available() {
    DP_UNAVAILABLE=
    if ! vswitchd_available; then
        DP_UNAVAILABLE=$DPDK_UNAVAILABLE
    elif ! taskset -c 0,1 true 2>/dev/null; then
        DP_UNAVAILABLE="CPUs 0 and 1 are not both usable here (taskset -c 0,1 fails): the guest needs one, the switch the other"
    fi
    [[ -z $DP_UNAVAILABLE ]]
}

# dp_config_parse CONFIG: sets DP_OWNER, DP_MODE, DP_QUEUES; false if
# CONFIG is not one of DP_CONFIGS_ALL.
dp_config_parse() {
    [[ $'\n'${DP_CONFIGS_ALL//[[:space:]]/$'\n'}$'\n' == *$'\n'$1$'\n'* ]] || return 1
    IFS=- read -r DP_OWNER DP_MODE DP_QUEUES <<<"$1"
    DP_QUEUES=${DP_QUEUES%q}
}

# dp_eal_memory: the EAL memory options of a testpmd: 128 MB, which holds
# its pool of 16384 mbufs (dp_up) and the rest; the guest's memory is what
# vhost-user maps into the switch. Huge: --in-memory (memfd, no hugetlbfs
# mount needed), --single-file-segments (one memfd for all of it, within
# vhost-user's limit of 8 memory regions); -m preallocates all 64 pages.
dp_eal_memory() {
    if [[ $DP_MEMORY == huge ]]; then
        echo "--in-memory --single-file-segments -m 128"
    else
        echo "--no-huge -m 128 --no-shconf"
    fi
}

# dp_configs_select [PATTERNS]: the configurations (DP_CONFIGS_ALL, in
# their order) that match one of PATTERNS (names or globs, "csdpdk-*",
# "*-client-1q"; all when empty), one a line.
dp_configs_select() {
    local c pat
    for c in $DP_CONFIGS_ALL; do
        [[ -z ${1:-} ]] && { echo "$c"; continue; }
        for pat in $1; do
            # shellcheck disable=SC2053 # a pattern on purpose
            [[ $c == $pat ]] && { echo "$c"; break; }
        done
    done
}

# dp_switch_start DIR: ovs-vswitchd-dpdk on $DB (ovsdb_start first, with
# add_bridge br0), its files in DIR, as vswitchd_start in dpdk.sh but with
# the memory of DP_MEMORY, and the PMD idle (pmd-maxsleep=10000) until a
# configuration is up: dp_up sets pmd-maxsleep=0 (the PMD busy-polls, as in
# production) and dp_down sets it back, so that the PMD leaves CPU 1 to the
# baseline's testpmd switch between OVS configurations.
dp_switch_start() {
    local mem
    mkdir -p "$T/sock" "$T/base" || return 1
    # csdpdk's socket directory (client mode: where the guest's sockets go).
    agent_properties "$T/agent.properties" "$T/sock"
    if [[ $DP_MEMORY == huge ]]; then
        # OVS 3.1 adds --in-memory itself; memory grows on demand (no
        # socket-mem), at most dpdk-socket-limit MB.
        mem="--no-pci --no-telemetry"
        vsctl set Open_vSwitch . other_config:dpdk-socket-limit=512 || return 1
    else
        # vswitchd_start's own (--no-huge, --legacy-mem, -m 512).
        mem=
    fi
    VSWITCHD_MEMORY=$mem VSWITCHD_TAG=dp vswitchd_start "$1"
}

# dp_appctl ARGS...: ovs-appctl to our ovs-vswitchd.
dp_appctl() {
    ovs-appctl -t "$VSWITCHD_CTL" "$@"
}

# dp_ofctl COMMAND ARGS...: ovs-ofctl on br0 (its management socket; OpenFlow
# 1.4 for the port statistics' custom counters).
dp_ofctl() {
    local cmd=$1
    shift
    ovs-ofctl --timeout=5 -O OpenFlow14 --no-names "$cmd" "unix:$VSWITCHD_DIR/br0.mgmt" "$@"
}

# dp_testpmd_start NAME CPU VDEV... -- TESTPMD_ARGS...: a dpdk-testpmd
# with those vdevs, its main and forwarding lcores both on CPU (the main
# one sleeps at the prompt), interactive with commands from a FIFO as
# testpmd_start in dpdk.sh does it (same TESTPMD_* arrays: testpmd_cmd,
# testpmd_stop and harness.sh's cleanup apply). Does not wait: a testpmd
# whose vdev has server=1 blocks in its probe until the other side
# connects; dp_testpmd_wait waits for the prompt.
dp_testpmd_start() {
    local name=$1 cpu=$2 dir=$T/testpmd-$1 fd pid vdevs=()
    shift 2
    while (($#)) && [[ $1 != -- ]]; do vdevs+=("--vdev=$1"); shift; done
    shift
    [[ -z ${TESTPMD_PID[$name]:-} ]] || testpmd_stop "$name"
    mkdir -p "$dir/dpdk" || return 1
    rm -f "$dir/cmd" "$dir/log"
    mkfifo "$dir/cmd" || return 1
    exec {fd}<>"$dir/cmd"
    # shellcheck disable=SC2046 # dp_eal_memory is a list of options
    (
        _close_fifos
        exec {fd}>&-
        RUNTIME_DIRECTORY=$dir/dpdk exec stdbuf -oL "$TESTPMD_BIN" --lcores="0@$cpu,1@$cpu" \
            $(dp_eal_memory) --no-pci --no-telemetry --file-prefix="csdpdk-dp-$name-$DPDK_ID" \
            "${vdevs[@]}" -- -i "$@"
    ) <"$dir/cmd" >>"$dir/log" 2>&1 &
    pid=$!
    TESTPMD_PID[$name]=$pid TESTPMD_FD[$name]=$fd TESTPMD_DIR[$name]=$dir TESTPMD_ARGS[$name]=
    daemon_pids+=("$pid")
}

# dp_prompted LOG: true if testpmd's prompt is in LOG once the vhost
# library's log lines are taken out: its threads write them whole at any
# moment, even between two characters of the prompt ("test" + a
# "VHOST_CONFIG: ..." line + "pmd> "; see _tp_clean in libvirtd.sh).
dp_prompted() {
    perl -0777 -ne 's/VHOST_(?:CONFIG|DATA): [^\n]*\n//g; exit(/testpmd> / ? 0 : 1)' "$1" 2>/dev/null
}

# dp_testpmd_wait NAME: true once testpmd NAME shows its prompt with its
# ports started (at most DPDK_WAIT s); else DP_ERROR says why. The prompt
# may share its line with a message of DPDK's vhost thread, which logs
# while testpmd starts (seen: the prompt after "VHOST_CONFIG: ...").
dp_testpmd_wait() {
    local dir=${TESTPMD_DIR[$1]} pid=${TESTPMD_PID[$1]} i
    for ((i = 0; i < DPDK_WAIT * 10; i++)); do
        dp_prompted "$dir/log" && break
        alive "$pid" || break
        sleep 0.1
    done
    alive "$pid" && dp_prompted "$dir/log" && return 0
    DP_ERROR="testpmd $1 did not start: $(tail -n 8 "$dir/log" 2>/dev/null)"
    return 1
}

# dp_testpmd_query NAME COMMAND...: sends COMMAND to testpmd NAME and prints
# its reply, complete: what the log got after it, up to the next prompt
# (testpmd echoes the command after its prompt, replies, and prints the
# prompt again, not always at the start of a line). At most DPDK_WAIT s.
dp_testpmd_query() {
    local name=$1 log=${TESTPMD_DIR[$1]}/log start i reply
    shift
    start=$(stat -c %s "$log") || return 1
    testpmd_cmd "$name" "$@" || return 1
    for ((i = 0; i < DPDK_WAIT * 50; i++)); do
        reply=$(tail -c +$((start + 1)) "$log" | perl -0777 -pe 's/VHOST_(?:CONFIG|DATA): [^\n]*\n//g')
        if [[ $reply == *"testpmd> "* ]]; then
            printf '%s\n' "${reply%testpmd> *}"
            return 0
        fi
        alive "${TESTPMD_PID[$name]}" || return 1
        sleep 0.02
    done
    return 1
}

# dp_links_up NAME [TIMEOUT_S]: true once both ports of testpmd NAME say
# "Link status: up" (their vhost-user connection is up and negotiated),
# polled every 0.2 s, at most TIMEOUT_S (default 15) s.
dp_links_up() {
    local deadline=$(($(now_us) + ${2:-15} * 1000000))
    while :; do
        [[ $(dp_testpmd_query "$1" show port info all | grep -c '^Link status: *up') == 2 ]] && return 0
        (($(now_us) < deadline)) || return 1
        sleep 0.2
    done
}

# dp_guest_stats [NAME]: 'show port stats all' in testpmd NAME (default
# guest); prints "RX0 RX1 PPS0 PPS1": each port's RX-packets since it
# started, and its Rx-pps "since last show" (testpmd's own clock: the
# packets received between the previous show and this one, divided by the
# time between them).
dp_guest_stats() {
    dp_testpmd_query "${1:-guest}" show port stats all | awk '
        /NIC statistics for port/ { p = $(NF - 1) + 0 }
        /^ *RX-packets:/ { rx[p] = $2 }
        /^ *Rx-pps:/ { pps[p] = $2; n++ }
        END { if (n != 2) exit 1; print rx[0], rx[1], pps[0], pps[1] }'
}

# dp_guest_forward [NAME]: 'stop' in testpmd NAME (default guest) and its
# forward statistics summed over both ports: "RX-packets TX-packets
# TX-dropped" (the guest's own drops: its transmit ring to the switch full).
dp_guest_forward() {
    dp_testpmd_query "${1:-guest}" stop | awk '
        /Accumulated forward statistics/ { acc = 1 }
        acc && /^ *RX-packets:/ { rx = $2 }
        acc && /^ *TX-packets:/ { tx = $2; drop = $4 }
        END { if (!acc) exit 1; print rx, tx, drop }'
}

# dp_flow_packets: the n_packets of the two flows, "P1->P2 P2->P1" (live
# counters of the datapath; they exist for both port types). False if
# either flow is missing.
dp_flow_packets() {
    dp_ofctl dump-flows 2>/dev/null | awk -v a="${DP_OFPORTS[0]}" -v b="${DP_OFPORTS[1]}" '
        { n = $0; sub(/.*n_packets=/, "", n); sub(/,.*/, "", n) }
        $0 ~ "in_port=" a " " { f[1] = n }
        $0 ~ "in_port=" b " " { f[2] = n }
        END { if (f[1] == "" || f[2] == "") exit 1; print f[1], f[2] }'
}

# dp_port_packets: "RX1 TX1 RX2 TX2", OVS's live rx and tx packet counters
# of the two ports (ovs-ofctl dump-ports), or false if OVS has none: OVS
# 3.1.0 reads none for a dpdkvhostuser (server-mode) port ("?"; see
# port_stats in dpdk.sh), but keeps its custom counters
# (dp_tx_failure_drops).
dp_port_packets() {
    local p out=()
    for p in "${DP_OFPORTS[@]}"; do
        out+=($(dp_ofctl dump-ports "$p" 2>/dev/null |
            sed -n 's/.*rx pkts=\([0-9]*\),.*/\1/p; s/.*tx pkts=\([0-9]*\),.*/\1/p'))
    done
    ((${#out[@]} == 4)) && echo "${out[*]}"
}

# dp_tx_failure_drops: the sum of both ports' ovs_tx_failure_drops (packets
# OVS could not put into the guest's receive ring, after its retries),
# live: OpenFlow 1.4 port statistics carry OVS's custom counters; the
# Interface statistics column is refreshed only every 5 s (measured: 8.4
# million packets behind after 9 s of traffic).
dp_tx_failure_drops() {
    local p n sum=0
    for p in "${DP_OFPORTS[@]}"; do
        n=$(dp_ofctl dump-ports "$p" 2>/dev/null | grep -o 'ovs_tx_failure_drops=[0-9]*' | cut -d= -f2)
        [[ -n $n ]] || return 1
        sum=$((sum + n))
    done
    echo "$sum"
}

# dp_pmd_stats: the PMD thread's (core 1) counters since the last
# dpif-netdev/pmd-stats-clear: "PACKETS CYCLES": packets received and
# avg processing cycles per packet.
dp_pmd_stats() {
    dp_appctl dpif-netdev/pmd-stats-show -pmd 1 2>/dev/null | awk '
        /packets received:/ { pk = $3 }
        /avg processing cycles per packet:/ { cy = $6 }
        END { if (pk == "") exit 1; print pk, (cy == "" ? 0 : cy) }'
}

# dp_flows_add / dp_flows_del: the two flows of the loop (the ports'
# numbers, which change with each plug); nothing else in the table.
dp_flows_add() {
    dp_ofctl del-flows &&
        dp_ofctl add-flow "in_port=${DP_OFPORTS[0]},actions=output:${DP_OFPORTS[1]}" &&
        dp_ofctl add-flow "in_port=${DP_OFPORTS[1]},actions=output:${DP_OFPORTS[0]}"
}
dp_flows_del() {
    dp_ofctl del-flows
}

# _dp_ports_make: the two OVS ports of the configuration, by its owner.
# csdpdk: one plug of a VM with two NICs (VLAN 100, the configuration's
# queues), as the agent asks for a DPDK VM; cloudstack: the agent's own
# ovs-vsctl, once per NIC (VLAN 100 too). The VLAN does not touch these
# frames: it applies to the NORMAL action, and the flows output directly.
_dp_ports_make() {
    local mode=$DP_MODE p i
    if [[ $DP_OWNER == csdpdk ]]; then
        run --ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default plug \
            <<<"$(plug_request "$DP_VM" "$mode" \
                "{\"mac\": \"${DP_MACS[0]}\", \"bridge\": \"br0\", \"vlan\": 100, \"queues\": $DP_QUEUES}" \
                "{\"mac\": \"${DP_MACS[1]}\", \"bridge\": \"br0\", \"vlan\": 100, \"queues\": $DP_QUEUES}")"
        if [[ $status != 0 ]]; then
            DP_ERROR="csdpdk plug: exit $status: $out $err"
            return 1
        fi
        DP_PORTS=($(jqo '.result.ports[].port'))
    else
        local type=dpdkvhostuserclient
        [[ $mode == server ]] && type=dpdkvhostuser
        DP_PORTS=()
        for i in 1 2; do
            p=$(bash "$DP_BENCH_DIR/cloudstack-plug.sh" "$DB" br0 "$T/sock" "$type") ||
                { DP_ERROR="cloudstack-plug.sh failed"; return 1; }
            DP_PORTS+=("$p")
        done
    fi
    ((${#DP_PORTS[@]} == 2)) || { DP_ERROR="not two ports: ${DP_PORTS[*]}"; return 1; }
    # The server-mode sockets must listen before the guest connects.
    vswitchd_sync || { DP_ERROR="ovs-vswitchd did not apply the ports"; return 1; }
    for p in "${DP_PORTS[@]}"; do
        [[ -z $(vsctl get Interface "$p" error | sed 's/^\[\]$//') ]] ||
            { DP_ERROR="$p: $(vsctl get Interface "$p" error)"; return 1; }
    done
    DP_SOCKS=() DP_OFPORTS=()
    for p in "${DP_PORTS[@]}"; do
        DP_SOCKS+=("$(vhost_socket "$p")")
        DP_OFPORTS+=("$(vsctl get Interface "$p" ofport)")
    done
    dp_flows_add || { DP_ERROR="ovs-ofctl add-flow failed"; return 1; }
}

# _dp_ports_remove: the configuration's ports go the way they came:
# csdpdk unplug of the VM, or ovs-vsctl del-port as the agent does.
_dp_ports_remove() {
    local p
    dp_flows_del
    if [[ $DP_OWNER == csdpdk ]]; then
        run --ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default unplug \
            <<<"{\"vm\": {\"uuid\": \"$DP_VM\"}}"
    else
        for p in "${DP_PORTS[@]}"; do vsctl --if-exists del-port br0 "$p"; done
    fi
    DP_PORTS=() DP_OFPORTS=()
    vswitchd_sync
}

# dp_up CONFIG: makes CONFIG ready for traffic: its ports and flows (not for
# the baseline), the guest (testpmd "guest" on CPU 0), for the baseline
# the testpmd switch ("switch", CPU 1), both links of the guest up, and
# for OVS the PMD busy-polling. False with DP_ERROR on any failure (call
# dp_down all the same).
dp_up() {
    local srv= q vh=() vu=() opts
    DP_ERROR=
    dp_config_parse "$1" || { DP_ERROR="unknown configuration $1"; return 1; }
    q=$DP_QUEUES
    # Enough mbufs for 2 ports x Q queues x (256 rx + 256 tx descriptors)
    # plus per-lcore caches, and more; 16384 x ~2.3 KB fit in -m 128.
    opts=(--nb-cores=1 --rxq="$q" --txq="$q" --forward-mode=io --port-topology=paired
          --total-num-mbufs=16384 --disable-link-check)
    if [[ $DP_OWNER == baseline ]]; then
        DP_SOCKS=("$T/base/vhost0" "$T/base/vhost1")
        rm -f "${DP_SOCKS[@]}"
        vh=("net_vhost0,iface=${DP_SOCKS[0]},queues=$q" "net_vhost1,iface=${DP_SOCKS[1]},queues=$q")
        if [[ $DP_MODE == client ]]; then
            # The switch connects (client=1, retrying every second) to the
            # sockets the guest owns (server=1).
            vh=("${vh[0]},client=1" "${vh[1]},client=1")
            srv=,server=1
        fi
    else
        _dp_ports_make || return 1
        [[ $DP_MODE == client ]] && srv=,server=1
    fi
    vu=("net_virtio_user0,path=${DP_SOCKS[0]},queues=$q$srv" "net_virtio_user1,path=${DP_SOCKS[1]},queues=$q$srv")
    if [[ $DP_OWNER == baseline && $DP_MODE == server ]]; then
        # The switch's sockets must listen before the guest connects.
        dp_testpmd_start switch 1 "${vh[@]}" -- "${opts[@]}" && dp_testpmd_wait switch || return 1
    fi
    dp_testpmd_start guest 0 "${vu[@]}" -- "${opts[@]}" || return 1
    if [[ $DP_OWNER == baseline && $DP_MODE == client ]]; then
        dp_testpmd_start switch 1 "${vh[@]}" -- "${opts[@]}" && dp_testpmd_wait switch || return 1
    fi
    dp_testpmd_wait guest || return 1
    dp_links_up guest || { DP_ERROR="the guest's links did not come up"; return 1; }
    if [[ $DP_OWNER == baseline ]]; then
        dp_links_up switch || { DP_ERROR="the testpmd switch's links did not come up"; return 1; }
    else
        vsctl set Open_vSwitch . other_config:pmd-maxsleep=0 && vswitchd_sync ||
            { DP_ERROR="pmd-maxsleep=0 not applied"; return 1; }
    fi
}

# dp_traffic: starts the loop: the baseline's switch forwards, then the
# guest sends one burst of 32 frames on each port and its queues
# ('start tx_first'; DATAPLANE_BURSTS=N: N bursts each) and forwards
# whatever comes back. The frames are 64 B UDP (testpmd's default).
dp_traffic() {
    if [[ $DP_OWNER == baseline ]]; then
        dp_testpmd_query switch start >/dev/null || { DP_ERROR="the testpmd switch did not start"; return 1; }
    fi
    dp_testpmd_query guest start tx_first ${DATAPLANE_BURSTS:-} >/dev/null ||
        { DP_ERROR="the guest did not start"; return 1; }
}

# dp_down: stops the testpmds and removes what dp_up made; the PMD idles
# again. Tolerates a half-made configuration.
dp_down() {
    local name
    for name in guest switch; do
        [[ -n ${TESTPMD_PID[$name]:-} ]] && testpmd_stop "$name"
    done
    if [[ $DP_OWNER != baseline ]]; then
        vsctl set Open_vSwitch . other_config:pmd-maxsleep=10000
        ((${#DP_PORTS[@]})) && _dp_ports_remove
    fi
    DP_PORTS=() DP_OFPORTS=() DP_SOCKS=()
    return 0
}

# dp_versions: "CPU model; kernel; OVS version; DPDK version" of this
# machine, for the table's stamp.
dp_versions() {
    printf '%s; %s CPUs; kernel %s; Open vSwitch %s; DPDK %s (testpmd: dpdk-dev %s)\n' \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" "$(nproc)" "$(uname -r)" \
        "$("$VSWITCHD_BIN" --version | awk 'NR == 1 { print $NF }')" \
        "$("$VSWITCHD_BIN" --version | awk '/^DPDK/ { print $2 }')" \
        "$(dpkg-query -W -f '${Version}' dpdk-dev 2>/dev/null || echo '?')"
}
