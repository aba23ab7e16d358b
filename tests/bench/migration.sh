#!/usr/bin/env bash
# make bench-migration: what a live migration of a DPDK VM costs, on two
# hosts of this machine (tests/lib/hosts.sh): the test guest with one
# vhost-user NIC migrated ROUNDS times in each mode combination (server ->
# server, server -> client, client -> client, client -> server), by the
# agent's flow (tests/lib/migrate.sh); then the same guest with a plain
# virtio NIC on a Linux bridge, migrated as often, for comparison. Prints,
# per combination: the median time of each csdpdk step, of virsh migrate,
# libvirt's downtime, and the network's outage (last frame of the guest
# through the source's switch or bridge to the first through the
# destination's; the guest sends one every PING seconds, which bounds the
# resolution). BENCH_OUT=FILE also writes the table there.
#
# Every libvirtd runs in one private network namespace (the Linux bridges
# and the plain NIC's tap devices are made there, and vanish with it);
# 2 x 128 + 32 hugepages of 2 MiB are reserved and given back.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/harness.sh
. tests/lib/dpdk.sh
. tests/lib/libvirtd.sh
. tests/lib/hosts.sh
. tests/lib/migrate.sh
ROUNDS=${ROUNDS:-3}
PING=${PING:-0.05}
die() { echo "bench-migration: $*" >&2; exit 1; }

NAME=vm71 VM=$(uuid_for 71) MACS=(52:54:00:71:00:01) VLANS=("") KIB=$((GUEST_MEMORY_MIB * 1024))
MAC=${MACS[0]}
NETNS_PID=
trap 'libvirtd_cleanup_all; pages_restore; [[ -n $NETNS_PID ]] && kill "$NETNS_PID"; cleanup' EXIT
hosts_ready $((2 * KIB / 2048 + 32)) || die "$HOSTS_UNAVAILABLE"

# The network namespace of the libvirtds: loopback for the migration
# streams, one Linux bridge per host for the plain NIC.
unshare -n sleep infinity &
NETNS_PID=$!
LIBVIRTD_NETNS=/proc/$NETNS_PID/ns/net
inns() { nsenter --net="$LIBVIRTD_NETNS" "$@"; }
sleep 0.2
inns ip link set lo up || die "no loopback in the private network namespace"
for h in h1 h2; do
    host_up "$h" || die "host $h did not start"
    inns ip link add "lbr-$h" type bridge && inns ip link set "lbr-$h" up || die "no Linux bridge lbr-$h"
done

samples() { # samples KEY VALUE: appends VALUE to KEY's samples
    [[ -n $2 && $2 != - ]] && echo "$2" >>"$T/samples-$1"
}
stat3() { # stat3 KEY: "median (min-max)"
    sort -g "$T/samples-$1" 2>/dev/null | awk '{ v[NR] = $1 } END {
        if (!NR) { print "-"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f (%.3f-%.3f)", m, v[1], v[NR] }'
}
med() { stat3 "$1" | cut -d' ' -f1; }

# ---- a vhost-user NIC on OVS-DPDK ----

mig_guest_xml "csdpdk.ping=$PING" >"$T/base.xml"
hrun h1 plug <<<"$(vm_request server)"
[[ $status == 0 ]] || die "plug: $out"
jqo .result.domain_xml >"$T/$NAME.xml"
lvsh h1 define "$T/$NAME.xml" >/dev/null && lvsh h1 start "$NAME" >/dev/null || die "the guest did not start"
frames_wait h1 "$MAC" 5 0 180 || die "no frame of the guest on h1"

src=h1 dst=h2 mode=server n=0
for ((r = 1; r <= ROUNDS; r++)); do
    for to in server client client server; do
        combo="$mode -> $to"
        n=$((n + 1))
        mig_prepare "$src" "$dst" "$to" "op-$n" || die "$MIG_FAILED"
        mig_migrate "$src" "$dst" || die "virsh migrate: $MIGRATE_OUT"
        frames_wait "$dst" "$MAC" 3 "$MIGRATE_T0" 30 || die "no frame on $dst after the migration"
        outage=$(mig_outage "$src" "$dst" "$MAC")
        downtime=$(mig_downtime "$dst")
        timed unplug hrun "$src" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"
        timed finish hrun "$dst" migrate-finish <<<"{\"op_id\": \"op-$n\"}"
        [[ $status == 0 ]] || die "migrate-finish: $out"
        for k in prepare check rewrite migrate unplug finish; do samples "$combo:$k" "${FIG[$k]}"; done
        samples "$combo:outage" "$outage"
        samples "$combo:downtime" "$downtime"
        echo "$combo: migrate ${FIG[migrate]} s, outage $outage s, downtime $downtime ms" >&2
        mode=$to
        t=$src src=$dst dst=$t
    done
done
lvsh "$src" destroy "$NAME" >/dev/null
lvsh "$src" undefine "$NAME" >/dev/null
hrun "$src" unplug <<<"{\"vm\": {\"uuid\": \"$VM\"}}"

# ---- the same guest with a plain virtio NIC on a Linux bridge ----

for h in h1 h2; do
    mkdir -p "$T/lb-$h"
    # nsenter execs python: $! is the frame clock itself, stopped at exit.
    nsenter --net="$LIBVIRTD_NETNS" python3 -u "$FRAMES_PY" "lbr-$h" >>"$T/lb-$h/frames.log" 2>/dev/null &
    daemon_pids+=("$!")
done
plain_xml() { # plain_xml HOST: the guest's domain with its NIC on HOST's Linux bridge
    sed -e "s|<interface type=['\"]vhostuser['\"]>.*</interface>|<interface type='bridge'><mac address='$MAC'/><source bridge='lbr-$1'/><target dev='lbvm-$1'/><model type='virtio'/></interface>|"
}
tr -d '\n' <"$T/$NAME.xml" | plain_xml h1 >"$T/plain.xml"
lvsh h1 define "$T/plain.xml" >/dev/null && lvsh h1 start "$NAME" >/dev/null || die "the plain guest did not start"
frames_wait lb-h1 "$MAC" 5 0 180 || die "no frame of the plain guest on lbr-h1"
src=h1 dst=h2
for ((r = 1; r <= 2 * ROUNDS; r++)); do
    lvsh "$src" dumpxml --migratable "$NAME" | tr -d '\n' |
        sed -e "s|lbr-$src|lbr-$dst|; s|lbvm-$src|lbvm-$dst|" >"$T/dest.xml"
    mig_migrate "$src" "$dst" || die "virsh migrate (plain): $MIGRATE_OUT"
    frames_wait "lb-$dst" "$MAC" 3 "$MIGRATE_T0" 30 || die "no frame on lbr-$dst after the migration"
    outage=$(mig_outage "lb-$src" "lb-$dst" "$MAC")
    samples "plain:migrate" "${FIG[migrate]}"
    samples "plain:outage" "$outage"
    samples "plain:downtime" "$(mig_downtime "$dst")"
    echo "plain virtio, Linux bridge: migrate ${FIG[migrate]} s, outage $outage s" >&2
    t=$src src=$dst dst=$t
done
lvsh "$src" destroy "$NAME" >/dev/null

{
    echo "Live migration of a 256 MiB TCG guest between two hosts on one machine, $ROUNDS runs per vhost-user row, $((2 * ROUNDS)) for the plain NIC"
    echo "(median, min-max in parentheses; seconds, downtime in ms; the guest sends a frame every $PING s)."
    echo
    row() { printf '| %-30s | %-7s | %-7s | %-7s | %-7s | %-7s | %-21s | %-8s | %-21s |\n' "$@"; }
    row migration prepare check rewrite finish unplug "virsh migrate" downtime "network outage"
    row "" "" "" "" "" "" "" "" "" | tr ' ' -
    for combo in "server -> server" "server -> client" "client -> client" "client -> server"; do
        row "vhost-user, $combo" "$(med "$combo:prepare")" "$(med "$combo:check")" "$(med "$combo:rewrite")" \
            "$(med "$combo:finish")" "$(med "$combo:unplug")" "$(stat3 "$combo:migrate")" \
            "$(med "$combo:downtime" | cut -d. -f1)" "$(stat3 "$combo:outage")"
    done
    row "plain virtio, Linux bridge" - - - - - "$(stat3 plain:migrate)" "$(med plain:downtime | cut -d. -f1)" \
        "$(stat3 plain:outage)"
    cat "$T"/samples-*' -> '*:outage | sort -g | awk '{ v[NR] = $1 } END {
        printf "\nAll vhost-user migrations: %d, network outage median %.3f s (%.3f-%.3f).\n", NR,
            NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }' 2>/dev/null
} | tee "${BENCH_OUT:-/dev/null}"
