#!/usr/bin/env bash
# make bench: plug and unplug of one client-mode NIC with csdpdk, and the
# same job done CloudStack's way, on a private ovsdb-server holding 0, 1000
# and 4000 ports. Medians from hyperfine (warm-up, repeated runs); peak RSS
# from wait4(). Prints a table; BENCH_OUT=FILE also writes it there.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/harness.sh
B=$(realpath tests/bench)
SIZES=${SIZES:-0 1000 4000}
RUNS=${RUNS:-200}
CS_RUNS=${CS_RUNS:-40}
VM=11111111-2222-4333-8444-555555555555
MAC=02:00:aa:bb:cc:01

printf 'openvswitch.dpdk.ovs.path=%s\n' "$T/sock" >"$T/agent.properties"
plug_request "$VM" client "$(nic $MAC br0 100)" >"$T/plug.json"
echo "{\"vm\": {\"uuid\": \"$VM\"}}" >"$T/unplug.json"

# median_ms JSON: hyperfine's median, in ms with one decimal.
median_ms() {
    jq -r '.results[0].median * 1000 * 10 | round / 10' "$1"
}

# existing N: N ports of other VMs, csdpdk-1 .. csdpdk-N, as CloudStack makes them.
existing() {
    local n=$1 chunk=500 args=()
    for ((i = 1; i <= n; i++)); do
        args+=(-- add-port br0 "csdpdk-$i" -- set Interface "csdpdk-$i" type=dpdkvhostuserclient
            "options:vhost-server-path=$T/sock/csdpdk-$i" "external_ids:vm-id=$(uuid_for $i)")
        if ((i % chunk == 0 || i == n)); then
            vsctl "${args[@]:1}"
            args=()
        fi
    done
}

declare -A result
for n in $SIZES; do
    echo "== $n existing ports" >&2
    ovsdb_start "$T/ovs$n" >/dev/null
    add_bridge br0
    existing "$n"
    C="$CSDPDK --ovsdb $DB --agent-properties $T/agent.properties"
    hf=(hyperfine -N --style none)

    "${hf[@]}" --warmup 10 --runs "$RUNS" --export-json "$T/plug$n.json" \
        --prepare "$C unplug --request $T/unplug.json" "$C plug --request $T/plug.json" >&2
    "${hf[@]}" --warmup 10 --runs "$RUNS" --export-json "$T/unplug$n.json" \
        --prepare "$C plug --request $T/plug.json" "$C unplug --request $T/unplug.json" >&2
    $C unplug --request "$T/unplug.json" >/dev/null
    next=$((n + 1))
    "${hf[@]}" --warmup 3 --runs "$CS_RUNS" --export-json "$T/csplug$n.json" \
        --prepare "ovs-vsctl --db=$DB --no-wait --if-exists del-port br0 csdpdk-$next" \
        "bash $B/cloudstack-plug.sh $DB br0 $T/sock" >&2
    vsctl --if-exists del-port br0 "csdpdk-$next"
    "${hf[@]}" --warmup 3 --runs "$CS_RUNS" --export-json "$T/csunplug$n.json" \
        --prepare "bash $B/cloudstack-plug.sh $DB br0 $T/sock" \
        "ovs-vsctl --db=$DB --no-wait del-port br0 csdpdk-$next" >&2
    result[rss$n]=$(python3 "$B/peak-rss.py" 20 "$T/plug.json" $C plug)

    # Read-only verbs, timed as they are (no ovs-vswitchd runs, so their
    # verdicts are negative: -i).
    $C plug --request "$T/plug.json" >/dev/null
    jq -n --arg d "$($C render --request <(jq '.nics[0].port = "csdpdk-'"$((n + 1))"'"' "$T/plug.json") | jq -r '.result.interfaces[0]')" \
        '{domain_xml: ("<domain><name>bench</name><memory>1048576</memory><devices>" + $d + "</devices></domain>"),
          destination_report: {eligible: true}}' >"$T/check.json"
    "${hf[@]}" -i --warmup 5 --runs "$RUNS" --export-json "$T/capabilities$n.json" \
        "$C --libvirt test:///default --sysfs tests/data/sysfs/one-node capabilities" >&2
    "${hf[@]}" -i --warmup 5 --runs "$RUNS" --export-json "$T/migrate-check$n.json" \
        "$C migrate-check --request $T/check.json" >&2
    $C unplug --request "$T/unplug.json" >/dev/null

    for op in plug unplug csplug csunplug capabilities migrate-check; do
        result[$op$n]=$(median_ms "$T/$op$n.json")
    done
    ovsdb_kill TERM
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f×", a / b }'; }
{
    echo "| operation | ports on the host | csdpdk median | CloudStack's way median | csdpdk faster by |"
    echo "|---|---:|---:|---:|---:|"
    for op in plug unplug; do
        for n in $SIZES; do
            echo "| $op, 1 client-mode NIC | $n | ${result[$op$n]} ms | ${result[cs$op$n]} ms | $(ratio "${result[cs$op$n]}" "${result[$op$n]}") |"
        done
    done
    for op in capabilities migrate-check; do
        for n in $SIZES; do
            echo "| $op | $n | ${result[$op$n]} ms | — | — |"
        done
    done
    echo
    first=${SIZES%% *} last=${SIZES##* }
    echo "| check | measured | target |"
    echo "|---|---:|---:|"
    echo "| plug median at $last ports | ${result[plug$last]} ms | ≤ 5 ms |"
    echo "| plug at $last ports vs CloudStack's way | $(ratio "${result[csplug$last]}" "${result[plug$last]}") faster | ≥ 50× |"
    echo "| plug at $last ports / plug at $first ports | $(awk -v a="${result[plug$last]}" -v b="${result[plug$first]}" 'BEGIN { printf "%.2f", a / b }') | ≤ 1.3 |"
    echo "| peak RSS of plug at $last ports | $((result[rss$last] / 1024)).$((result[rss$last] % 1024 * 10 / 1024)) MiB | ≤ 16 MiB |"
} | tee "${BENCH_OUT:-/dev/null}"
