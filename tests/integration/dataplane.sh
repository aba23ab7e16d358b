#!/usr/bin/env bash
# make bench-dataplane reduced for make check: every configuration of the
# benchmark (tests/bench/dataplane.sh, machinery in tests/lib/dataplane.sh)
# made once, its closed loop run for about a second, and only this
# asserted: frames flow both ways. The guest's two ports both receive
# (RX-packets grow), and through OVS both flows' packet counters grow, and
# both ports' rx and tx counters where OVS has them; through the baseline's
# testpmd switch, both of its ports receive. Never a rate: the machine is
# shared. The control: with the flows deleted, the same check must see
# the loop stop, or it could not fail. DATAPLANE_CONFIGS (names or
# patterns, as for the benchmark) runs only some configurations.
#
# Anonymous memory (--no-huge), as the other DPDK tests: no rate is
# measured here, and hugepages are reserved by other suites of make check
# without a lock.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/dpdk.sh"
. "$(dirname "$0")/../lib/dataplane.sh"
DP_MEMORY=nohuge
SECS=${DATAPLANE_TEST_SECONDS:-1}

if ! dp_available; then
    skip "frames through two vhost-user ports in each configuration of bench-dataplane" "$DP_UNAVAILABLE"
    done_testing
    exit
fi

# note TEXT...: a TAP comment.
note() {
    printf '# %s\n' "$*"
}

# secs SINCE_US: seconds since SINCE_US, 2 decimals.
secs() {
    local d=$(($(now_us) - $1))
    printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000))
}

# grew BEFORE AFTER: true if BEFORE and AFTER are lists of as many
# counters, at least one, and each counter of AFTER is larger.
grew() {
    local -a a b
    local i
    read -ra a <<<"$1"
    read -ra b <<<"$2"
    ((${#a[@]} > 0 && ${#a[@]} == ${#b[@]})) || return 1
    for i in "${!a[@]}"; do
        ((b[i] > a[i])) || return 1
    done
}

# rxqs PORT: the queue ids of PORT that OVS's PMD polls (pmd-rxq-show).
rxqs() {
    dp_appctl dpif-netdev/pmd-rxq-show | awk -v p="$1" '$1 == "port:" && $2 == p { printf "%s ", $4 }'
}

ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server" "$(cat "$T/ovs/stderr.log")"; done_testing; exit; }
add_bridge br0
started=$(now_us)
if ! dp_switch_start "$T/vs" 2>"$T/vswitchd.err"; then
    fail "ovs-vswitchd-dpdk starts (--no-huge, PMD on CPU 1)" "$(cat "$T/vswitchd.err")"
    done_testing
    exit
fi
ok "ovs-vswitchd-dpdk starts (--no-huge, its PMD on CPU 1) ($(secs "$started") s)"

control=
for cfg in $(dp_configs_select "${DATAPLANE_CONFIGS:-}"); do
    started=$(now_us)
    if ! dp_up "$cfg"; then
        fail "$cfg: ports, guest and links up" "$DP_ERROR"
        dp_down
        continue
    fi
    if [[ $DP_OWNER == baseline ]]; then
        ok "$cfg: the guest's and the testpmd switch's links are up ($(secs "$started") s)"
    else
        ok "$cfg: ports ${DP_PORTS[*]} and their flows made, the guest's links up ($(secs "$started") s)"
    fi
    if ! dp_traffic; then
        fail "$cfg: the loop starts" "$DP_ERROR"
        dp_down
        continue
    fi
    # Let the loop settle, then two samples of every counter SECS apart.
    sleep 0.3
    g0=$(dp_guest_stats) f0= p0= w0=
    if [[ $DP_OWNER == baseline ]]; then
        w0=$(dp_guest_stats switch)
    else
        f0=$(dp_flow_packets) p0=$(dp_port_packets)
    fi
    sleep "$SECS"
    g1=$(dp_guest_stats) f1= p1= w1=
    if [[ $DP_OWNER == baseline ]]; then
        w1=$(dp_guest_stats switch)
    else
        f1=$(dp_flow_packets) p1=$(dp_port_packets)
    fi
    # dp_guest_stats: RX0 RX1 PPS0 PPS1; the counters are the first two.
    if grew "$(cut -d' ' -f1-2 <<<"$g0")" "$(cut -d' ' -f1-2 <<<"$g1")"; then
        ok "$cfg: frames reach both guest ports (RX-packets grow on port 0 and port 1)"
    else
        fail "$cfg: frames reach both guest ports" "RX0 RX1 PPS0 PPS1 before: '$g0', ${SECS} s later: '$g1'"
    fi
    if [[ $DP_OWNER == baseline ]]; then
        if grew "$(cut -d' ' -f1-2 <<<"$w0")" "$(cut -d' ' -f1-2 <<<"$w1")"; then
            ok "$cfg: the testpmd switch receives on both of its ports"
        else
            fail "$cfg: the testpmd switch receives on both of its ports" "before: '$w0', after: '$w1'"
        fi
    else
        if grew "$f0" "$f1"; then
            ok "$cfg: OVS forwards both ways (n_packets of in_port=${DP_OFPORTS[0]} and in_port=${DP_OFPORTS[1]} grow)"
        else
            fail "$cfg: OVS forwards both ways (both flows' n_packets grow)" "before: '$f0', after: '$f1'" \
                "$(dp_ofctl dump-flows 2>&1)"
        fi
        if [[ -n $p0 || $DP_MODE != server ]]; then
            if grew "$p0" "$p1"; then
                ok "$cfg: OVS's rx and tx counters of both ports grow"
            else
                fail "$cfg: OVS's rx and tx counters of both ports grow" "RX1 TX1 RX2 TX2 before: '$p0', after: '$p1'"
            fi
        else
            skip "$cfg: OVS's rx and tx counters of both ports grow" \
                "OVS 3.1.0 reads no rx/tx counters for dpdkvhostuser ports (dump-ports: ?); the flows' counters stand in"
        fi
        note "$cfg: ovs_tx_failure_drops $(dp_tx_failure_drops || echo unreadable);" \
            "polled rx queues: ${DP_PORTS[0]}: $(rxqs "${DP_PORTS[0]}")${DP_PORTS[1]}: $(rxqs "${DP_PORTS[1]}")"
    fi
    # The control, once: the flows deleted, the frames in flight are
    # dropped by the switch and the loop stops; the checks above must see it.
    if [[ -z $control && $DP_OWNER != baseline ]]; then
        control=$cfg
        dp_flows_del
        sleep 0.3
        g2=$(dp_guest_stats) p2=$(dp_port_packets)
        sleep "$SECS"
        g3=$(dp_guest_stats) p3=$(dp_port_packets)
        if [[ -n $g2 && -n $g3 ]] && ! grew "$(cut -d' ' -f1-2 <<<"$g2")" "$(cut -d' ' -f1-2 <<<"$g3")" &&
            ! dp_flow_packets >/dev/null && { [[ -z $p2 ]] || ! grew "$p2" "$p3"; }; then
            ok "$cfg, control: with the flows deleted no frame crosses, and the checks above say so"
        else
            fail "$cfg, control: with the flows deleted no frame crosses" "guest before: '$g2', after: '$g3'" \
                "ports before: '$p2', after: '$p3'" "$(dp_ofctl dump-flows 2>&1)"
        fi
    fi
    owner=$DP_OWNER
    dp_down
    if [[ $owner != baseline ]]; then
        check "$cfg: its ports are removed ($([[ $owner == csdpdk ]] && echo "csdpdk unplug" || echo "ovs-vsctl del-port"))" \
            test -z "$(vsctl list-ports br0)"
    fi
done

check "ovs-vswitchd is still alive after every configuration" alive "$VSWITCHD_PID"
check "ovs-vswitchd exits on TERM" vswitchd_stop TERM
done_testing
