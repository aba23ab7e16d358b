#!/usr/bin/env bash
# make bench-dataplane: frames per second through two vhost-user ports on
# one netdev bridge (flows in_port=1 -> 2 and 2 -> 1), the "guest" a
# dpdk-testpmd with two net_virtio_user ports in a closed loop on CPU 0,
# the OVS PMD on CPU 1 (tests/lib/dataplane.sh has the machinery; the
# recipe is ../shared/NUMA-DATAPLANE.md, sections 7-9). Configurations:
# ports made by csdpdk (plug of a VM with two NICs, unplug after) and the
# way CloudStack's agent makes them (tests/bench/cloudstack-plug.sh), in
# client and server mode, with 1 and 2 queues, and the baseline without
# OVS: the same guest against a dpdk-testpmd with two net_vhost ports
# forwarding between them on CPU 1, the local limit of a vhost-user hop.
# Prints, per configuration, the median rate (the sum of both guest ports'
# Rx-pps, testpmd's own clock), csdpdk / CloudStack, OVS / baseline, OVS's
# avg processing cycles per packet (pmd-stats-show; steadier than rates on
# a shared machine) and the growth of ovs_tx_failure_drops after warm-up
# (must be 0). BENCH_OUT=FILE also writes the table there.
#
# The machine's speed drifts over minutes, so the runs are interleaved:
# run 1 of every configuration, then run 2, ...; the guest and its ports
# are made afresh for every run, one ovs-vswitchd serves them all (its PMD
# sleeps, pmd-maxsleep=10000, between OVS runs, and busy-polls during
# them, pmd-maxsleep=0).
#
# Knobs: DATAPLANE_SECONDS (30) measured per run, after DATAPLANE_WARMUP
# (3) s of traffic (the loop is steady within a second); DATAPLANE_RUNS (3); DATAPLANE_CONFIGS: only these
# configurations (names or patterns: "csdpdk-*", "*-client-1q");
# DATAPLANE_QUICK=1: one run of 2 s per configuration, 1 s of warm-up (a
# smoke test: about a minute);
# DATAPLANE_MEMORY=huge (default: 2 MiB hugepages, reserved here and given
# back; --no-huge when they cannot be reserved) or nohuge; DATAPLANE_BURSTS=N:
# 'start tx_first N' (default: one burst of 32 frames per port and queue,
# which never fills a 256-slot ring, so no drop is expected at all).
#
# Hugepages are shared with other runs on this machine: the whole run holds
# /tmp/csdpdk-hugepages.lock (waiting at most 30 minutes for it) and
# pages_restore puts the machine's own value back at exit, however it ends.
set -uo pipefail
LOCK=/tmp/csdpdk-hugepages.lock
if [[ -z ${DATAPLANE_LOCKED:-} ]]; then
    exec 9>>"$LOCK"
    if ! flock -n 9; then
        echo "bench-dataplane: waiting for $LOCK (another run holds it)" >&2
        flock -w 1800 9 || { echo "bench-dataplane: $LOCK still held after 30 minutes" >&2; exit 75; }
    fi
    # The run itself is a child without the lock's descriptor (so are its
    # daemons: one left behind must not hold the lock); this shell holds
    # the lock until the child is done, cleanup included, and passes ctrl-C
    # and kill on to it as TERM (a script's background child ignores
    # SIGINT).
    DATAPLANE_LOCKED=1 bash "$0" "$@" 9>&- &
    child=$!
    trap 'kill -TERM "$child" 2>/dev/null' INT TERM
    while :; do
        wait "$child"
        st=$?
        kill -0 "$child" 2>/dev/null || exit "$st"
    done
fi
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/harness.sh
. tests/lib/dpdk.sh
. tests/lib/dataplane.sh
T_START=$(now_us)

if ((${DATAPLANE_QUICK:-0})); then
    SECS=${DATAPLANE_SECONDS:-2} RUNS=${DATAPLANE_RUNS:-1} WARMUP=${DATAPLANE_WARMUP:-1}
else
    SECS=${DATAPLANE_SECONDS:-30} RUNS=${DATAPLANE_RUNS:-3} WARMUP=${DATAPLANE_WARMUP:-3}
fi
MEMORY=${DATAPLANE_MEMORY:-huge}
die() { echo "bench-dataplane: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# Whatever happens (failure, ctrl-C, kill): every daemon stopped (cleanup),
# then the hugepages given back (in-use pages cannot be).
NAP_PID=
trap '[[ -n $NAP_PID ]] && kill "$NAP_PID" 2>/dev/null; cleanup; pages_restore' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nap SECONDS: sleep, but a signal to this shell acts at once (bash runs a
# trap only once its foreground command ends; 'wait' it interrupts).
nap() {
    sleep "$1" &
    NAP_PID=$!
    wait "$NAP_PID"
    NAP_PID=
}

dp_available || die "$DP_UNAVAILABLE"
[[ $MEMORY == huge || $MEMORY == nohuge ]] || die "DATAPLANE_MEMORY is huge or nohuge, not $MEMORY"
[[ $SECS =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[0-9]+$ ]] ||
    die "DATAPLANE_SECONDS, DATAPLANE_RUNS and DATAPLANE_WARMUP are whole numbers (seconds, runs > 0)"

mapfile -t CONFIGS < <(dp_configs_select "${DATAPLANE_CONFIGS:-}")
((${#CONFIGS[@]})) || die "DATAPLANE_CONFIGS='${DATAPLANE_CONFIGS:-}' matches none of: $(echo $DP_CONFIGS_ALL)"

MEMNOTE="--no-huge (anonymous memory; DATAPLANE_MEMORY=nohuge)"
if [[ $MEMORY == huge ]]; then
    if pages_reserve "$DP_PAGES"; then
        MEMNOTE="hugepages: $DP_PAGES x 2 MiB reserved (nr_hugepages $PAGES_SAVED -> $(cat "$HUGE_POOL/nr_hugepages")), given back at exit"
    else
        pages_restore
        MEMORY=nohuge
        MEMNOTE="--no-huge: $DP_PAGES hugepages of 2 MiB could not be reserved (free: $(pages_free 2>/dev/null || echo none))"
    fi
fi
DP_MEMORY=$MEMORY
log "memory: $MEMNOTE"

ovsdb_start "$T/ovs" >/dev/null || die "ovsdb-server did not start"
add_bridge br0 || die "no bridge br0"
dp_switch_start "$T/vs" 2>"$T/vswitchd.err" || die "ovs-vswitchd did not start: $(cat "$T/vswitchd.err")"
STAMP=$(dp_versions)
HZ=$(getconf CLK_TCK)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$(now_us)

# sample KEY VALUE: appends VALUE to KEY's samples.
sample() {
    echo "$2" >>"$T/samples-$1"
}
# med KEY [DECIMALS]: the median of KEY's samples ("" if none), with
# DECIMALS (default 3) decimals.
med() {
    sort -g "$T/samples-$1" 2>/dev/null | awk -v d="${2:-3}" '{ v[NR] = $1 } END {
        if (NR) printf "%." d "f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# count KEY: how many samples KEY has.
count() {
    cat "$T/samples-$1" 2>/dev/null | wc -l
}
# range KEY: "min-max" of KEY's samples.
range() {
    sort -g "$T/samples-$1" 2>/dev/null | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.2f-%.2f", lo, hi }'
}

# measure CONFIG RUN: one run of CONFIG: up, warm-up, the measured window,
# down. Appends to the samples of CONFIG (mpps, ovs-mpps, cycles, drops);
# a failed run appends to failed-CONFIG instead.
measure() {
    local cfg=$1 r=$2 ovs=1 s0 s1 drops0= drops1= pmd= pk cy pps0 pps1 rx t0 t1 tc tp mpps line fwd
    local gpid spid g0 g1 w0 w1 gcpu scpu v0 v1
    [[ $cfg == baseline-* ]] && ovs=0
    if ! dp_up "$cfg" || ! dp_traffic; then
        log "run $r, $cfg: FAILED: $DP_ERROR"
        sample "failed-$cfg" "$DP_ERROR"
        dp_down
        return 1
    fi
    nap "$WARMUP"
    # The window: the guest's first 'show port stats all' opens it
    # (testpmd's "since last show"), its second closes it; OVS's PMD
    # counters are cleared just before and read just after (their own
    # window, tc to tp), its drops read outside both.
    if ((ovs)); then
        drops0=$(dp_tx_failure_drops)
        tc=$(now_us)
        dp_appctl dpif-netdev/pmd-stats-clear >/dev/null
    fi
    # The CPU time the guest and the switch (ovs-vswitchd, or the testpmd
    # switch) got over the window, all their threads: each has one busy
    # thread, so about 100 % of a CPU when nothing else took theirs.
    gpid=${TESTPMD_PID[guest]}
    ((ovs)) && spid=$VSWITCHD_PID || spid=${TESTPMD_PID[switch]}
    g0=$(cpu_ticks "$gpid") w0=$(cpu_ticks "$spid") v0=$(cpu_ticks "$VSWITCHD_PID")
    t0=$(now_us)
    s0=$(dp_guest_stats)
    nap "$SECS"
    s1=$(dp_guest_stats)
    t1=$(now_us)
    g1=$(cpu_ticks "$gpid") w1=$(cpu_ticks "$spid") v1=$(cpu_ticks "$VSWITCHD_PID")
    if ((ovs)); then
        pmd=$(dp_pmd_stats)
        tp=$(now_us)
        drops1=$(dp_tx_failure_drops)
    fi
    fwd=$(dp_guest_forward)
    dp_down
    read -r _ _ pps0 pps1 <<<"$s1"
    if [[ -z $s0 || -z ${pps1:-} ]] || ((pps0 == 0 || pps1 == 0)); then
        log "run $r, $cfg: FAILED: no frames on both guest ports (stats: '$s0' -> '$s1')"
        sample "failed-$cfg" "no frames"
        return 1
    fi
    mpps=$(awk -v a="$pps0" -v b="$pps1" 'BEGIN { printf "%.4f", (a + b) / 1e6 }')
    sample "mpps-$cfg" "$mpps"
    # The same from the RX-packets counters and this shell's clock, a check
    # on testpmd's Rx-pps: lower by the two queries' round trips (tens of
    # ms) in a window of SECS.
    rx=$(awk -v a="$s0" -v b="$s1" -v us=$((t1 - t0)) 'BEGIN { split(a, x); split(b, y);
        printf "%.3f", (y[1] - x[1] + y[2] - x[2]) / us }')
    gcpu=$(awk -v d=$((g1 - g0)) -v us=$((t1 - t0)) -v hz="$HZ" 'BEGIN { printf "%.1f", d / hz * 1e8 / us }')
    scpu=$(awk -v d=$((w1 - w0)) -v us=$((t1 - t0)) -v hz="$HZ" 'BEGIN { printf "%.1f", d / hz * 1e8 / us }')
    sample "gcpu-$cfg" "$gcpu"
    sample "scpu-$cfg" "$scpu"
    line="run $r/$RUNS, $cfg: $mpps Mpps (RX-packets over the window: $rx Mpps), CPU guest $gcpu %, switch $scpu %"
    if ((ovs)); then
        read -r pk cy <<<"$pmd"
        sample "cycles-$cfg" "$cy"
        sample "ovsmpps-$cfg" "$(awk -v p="$pk" -v us=$((tp - tc)) 'BEGIN { printf "%.4f", p / us }')"
        if [[ -n $drops0 && -n $drops1 ]]; then
            sample "drops-$cfg" $((drops1 - drops0))
        else
            sample "drops-$cfg" -1
        fi
        line+=", OVS PMD: $pk packets, $cy cycles/packet, ovs_tx_failure_drops +$((${drops1:-0} - ${drops0:-0}))"
    fi
    # The baseline has CPU 1 to itself: the idle OVS beside it sleeps.
    ((ovs)) || line+=", idle ovs-vswitchd $(awk -v d=$((v1 - v0)) -v us=$((t1 - t0)) -v hz="$HZ" 'BEGIN { printf "%.1f", d / hz * 1e8 / us }') %"
    log "$line; guest forward totals (RX TX TX-dropped): $fwd"
}

for ((r = 1; r <= RUNS; r++)); do
    for cfg in "${CONFIGS[@]}"; do
        measure "$cfg" "$r"
    done
done
T1=$(now_us)
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ratio A B: A / B of two medians, 2 decimals; "—" if either is missing.
ratio() {
    [[ -n $1 && -n $2 ]] || { echo "—"; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'
}

failures=0 dropped=0
# table: prints the table (failures and dropped are set as a side effect:
# call it in this shell, not in a pipeline).
table() {
    echo "Data plane: $SECS s measured per run after ${WARMUP} s of warm-up, median of $RUNS interleaved run(s)."
    echo "Machine: $STAMP."
    echo "Memory (OVS and both testpmds alike): $MEMNOTE."
    echo "Guest: dpdk-testpmd, 2 net_virtio_user ports, io forwarding, paired, 'start tx_first${DATAPLANE_BURSTS:+ $DATAPLANE_BURSTS}', 64 B frames, CPU 0."
    echo "Switch: ovs-vswitchd, 1 PMD on CPU 1 (pmd-cpu-mask=0x2, pmd-maxsleep=0), flows in_port=1->2, 2->1;"
    echo "baseline: dpdk-testpmd, 2 net_vhost ports, io forwarding, paired, CPU 1."
    echo "Load average before / after: $LOAD0 / $LOAD1 (the 2 CPUs are shared)."
    echo
    echo "| configuration | Mpps (median) | min-max | csdpdk / CloudStack | OVS / baseline | OVS Mpps (PMD) | avg processing cycles/packet | ovs_tx_failure_drops growth (max) | CPU % guest / switch | runs |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for cfg in "${CONFIGS[@]}"; do
        dp_config_parse "$cfg"
        rest=$DP_MODE-${DP_QUEUES}q
        m=$(med "mpps-$cfg")
        n=$(count "mpps-$cfg")
        nf=$(count "failed-$cfg")
        failures=$((failures + nf))
        cs=— base=— ovsm=— cy=— dr=—
        if [[ $DP_OWNER != baseline ]]; then
            base=$(ratio "$m" "$(med "mpps-baseline-$rest")")
            ovsm=$(med "ovsmpps-$cfg") cy=$(med "cycles-$cfg" 1)
            dr=$(sort -g "$T/samples-drops-$cfg" 2>/dev/null | tail -n 1)
            if grep -qx -- -1 "$T/samples-drops-$cfg" 2>/dev/null; then
                dr="unreadable in $(grep -cx -- -1 "$T/samples-drops-$cfg") run(s)"
            fi
            [[ -n $dr && $dr != 0 ]] && dropped=1
            ovsm=${ovsm:-—} cy=${cy:-—} dr=${dr:-—}
            [[ $DP_OWNER == csdpdk ]] && cs=$(ratio "$m" "$(med "mpps-cloudstack-$rest")")
        fi
        echo "| $cfg | ${m:-—} | $(range "mpps-$cfg") | $cs | $base | $ovsm | $cy | $dr | $(med "gcpu-$cfg" 0) / $(med "scpu-$cfg" 0) | $n of $RUNS$( ((nf)) && echo ", $nf failed") |"
    done
    echo
    echo "Mpps: the sum of both guest ports' Rx-pps over the window ('show port stats all'); OVS Mpps: packets"
    echo "its PMD received over the window (pmd-stats-show); cycles: pmd-stats-show's avg processing cycles per"
    echo "packet. CPU %: the CPU time the guest and the switch got over the window (each has one busy thread:"
    echo "~100 % unless other work took their CPU). Medians, ratios of medians. Total run time: $(((T1 - T_START) / 1000000)) s ($(((T1 - T0) / 1000000)) s of runs)."
    echo "2q: each port has two queues, both polled by the one PMD; in the steady state of the closed loop the"
    echo "traffic runs on one queue (the other got only the first burst): these rows measure the cost of"
    echo "polling a second queue, not two busy ones (docs/performance.md)."
}
table >"$T/table"
tee "${BENCH_OUT:-/dev/null}" <"$T/table"
for cfg in "${CONFIGS[@]}"; do
    [[ -s $T/samples-failed-$cfg ]] && echo "$cfg failed: $(sort -u "$T/samples-failed-$cfg" | head -n 3 | tr '\n' ' ')" >&2
done
((dropped)) && echo "bench-dataplane: ovs_tx_failure_drops grew after warm-up, or could not be read (expected: 0)" >&2
((failures == 0 && dropped == 0))
