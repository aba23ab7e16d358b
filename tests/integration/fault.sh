#!/usr/bin/env bash
# Faults during a 4-NIC plug: whatever ovsdb-server went through, retrying
# the same request ends with exactly the 4 ports, each once. Then unplugs
# with the server killed at random moments, a server stopped (SIGSTOP) for
# longer than --timeout, and a server whose disk is full.
#   FAULT_RUNS=N: random kills during plugs and during unplugs, N each
#   (default 10; make reliability: 50)
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/invariants.sh"
RUNS=${FAULT_RUNS:-10}
faults=0

ovsdb_start "$T/ovs" || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge br0
printf 'openvswitch.dpdk.ovs.path=%s\n' "$T/sock" >"$T/agent.properties"
C=(--agent-properties "$T/agent.properties" --timeout 10)

request() {
    plug_request "$(uuid_for "$1")" client "$(nic "$(mac_for "$1" 1)" br0)" "$(nic "$(mac_for "$1" 2)" br0 10)" \
        "$(nic "$(mac_for "$1" 3)" br0 11)" "$(nic "$(mac_for "$1" 4)" br0)" >"$T/req$1.json"
}

# exactly_four VM: the VM owns 4 ports, 4 distinct names, each MAC once.
exactly_four() {
    local names
    names=$(vsctl --bare --columns=name find Interface external_ids:vm-id="\"$(uuid_for "$1")\"" | grep -v '^$')
    [[ $(wc -l <<<"$names") == 4 && $(sort -u <<<"$names" | wc -l) == 4 ]] || return 1
    for k in 1 2 3 4; do
        [[ $(vsctl --bare --columns=name find Interface external_ids:attached-mac="\"$(mac_for "$1" $k)\"" | grep -vc '^$') == 1 ]] || return 1
    done
}

# retry VM: the plug again, directly, until it succeeds (at most 5 times).
retry() {
    retry_verb plug "$T/req$1.json"
}

# retry_verb VERB REQUEST-FILE: VERB again until it succeeds (at most 5 times).
retry_verb() {
    for _ in 1 2 3 4 5; do
        run --ovsdb "$DB" "${C[@]}" "$1" --request "$2"
        [[ $status == 0 ]] && return 0
        sleep 0.2
    done
    return 1
}

# kill_during VERB REQUEST-FILE: runs VERB and kills ovsdb-server a random
# few milliseconds in, then starts it again; $first is VERB's exit status.
kill_during() {
    "$CSDPDK" --ovsdb "$DB" "${C[@]}" "$1" --request "$2" >/dev/null 2>&1 &
    local pid=$!
    sleep "0.00$((RANDOM % 10))"
    ovsdb_kill KILL
    wait $pid
    first=$?
    ovsdb_run
}

# 1. The server dies before it reads the request.
request 1
ovsdb_kill STOP
"$CSDPDK" --ovsdb "$DB" "${C[@]}" plug --request "$T/req1.json" >"$T/out1" 2>&1 &
plug=$!
sleep 0.5
ovsdb_kill KILL
wait $plug
st=$?
check "killed before commit: the plug fails with ovsdb_unavailable (exit 69)" \
    test "$st $(jq -r .error.code "$T/out1")" = "69 ovsdb_unavailable"
ovsdb_run
check "... nothing was created" test "$(vsctl list-ports br0 | wc -l)" = 0
check "... the retry succeeds" retry 1
check "... and creates all 4" test "$(jqo '[.result.ports[] | select(.created)] | length')" = 4
check "... exactly 4 ports, each once" exactly_four 1

# 2. The commit happens but the reply is lost.
request 2
python3 "$(dirname "$0")/../lib/drop-reply-proxy.py" "$T/proxy.sock" "$OVSDB_DIR/db.sock" '"insert"' &
proxy=$!
daemon_pids+=("$proxy")
for _ in $(seq 50); do [[ -S $T/proxy.sock ]] && break; sleep 0.05; done
run --ovsdb "unix:$T/proxy.sock" "${C[@]}" plug --request "$T/req2.json"
check "reply lost after the commit: the plug fails with ovsdb_unavailable (exit 69)" \
    expect_error ovsdb_unavailable 69
check "... the 4 ports were committed" exactly_four 2
check "... the retry succeeds" retry 2
check "... finds them all (created: false)" test "$(jqo '[.result.ports[] | select(.created | not)] | length')" = 4
check "... still exactly 4 ports, each once" exactly_four 2

# 3. Killed at random moments.
for i in $(seq 3 $((RUNS + 2))); do
    request $i
    faults=$((faults + 1))
    kill_during plug "$T/req$i.json"
    if retry $i && exactly_four $i; then
        ok "killed at a random moment (first attempt exit $first): after the retry exactly 4 ports"
    else
        fail "killed at a random moment (first attempt exit $first)" "$out"
    fi
done

names=$(vsctl --bare --columns=name list Interface | grep '^csdpdk-' | sort)
check "no name twice among all $(wc -l <<<"$names") ports" test "$(uniq -d <<<"$names" | wc -l)" = 0
live=$(for i in $(seq 1 $((RUNS + 2))); do uuid_for "$i"; echo; done | tr "\n" " ")
v=$(invariants_check "$live" ""); violations=$?
check "the invariants hold ($violations violations)" test "$violations" = 0

# 4. Killed at random moments during unplugs: the retried unplug removes
# exactly that VM's ports; the others stay.
for i in $(seq 3 $((RUNS + 2))); do
    faults=$((faults + 1))
    echo "{\"vm\": {\"uuid\": \"$(uuid_for $i)\"}}" >"$T/unplug$i.json"
    kill_during unplug "$T/unplug$i.json"
    retry_verb unplug "$T/unplug$i.json"
    live=${live/$(uuid_for $i) /}
    v=$(invariants_check "$live" ""); n=$?
    violations=$((violations + n))
    left=$(vsctl --bare --columns=name find Interface external_ids:vm-id="\"$(uuid_for $i)\"" | grep -c .)
    if ((status == 0 && left == 0 && n == 0)); then
        ok "unplug killed at a random moment (first attempt exit $first): after the retry none of its ports, the others intact"
    else
        fail "unplug killed at a random moment (first attempt exit $first)" "retry $status, $left left" "$v"
    fi
done

# 5. A server stopped for longer than --timeout: timeout (exit 75) within
# the timeout and one second, nothing written; a retry once it runs again.
request 90
before=$(db_size)
ovsdb_kill STOP
start=$(date +%s%N)
run --ovsdb "$DB" "${C[@]}" --timeout 2 plug --request "$T/req90.json"
took=$((($(date +%s%N) - start) / 1000000))
ovsdb_kill CONT
faults=$((faults + 1))
check "ovsdb-server stopped (SIGSTOP) past --timeout 2: timeout, exit 75, after $took ms (at most 3000)" \
    bash -c '[[ $1 == "75 timeout" ]] && (($2 <= 3000))' _ "$status $(jqo .error.code)" "$took"
check "... nothing written" test "$(db_size)" = "$before"
check "... the retry succeeds once the server runs again" retry 90

# 6. A full disk under the server: the commit fails (ovsdb_error), nothing
# half-done; with room again the retry succeeds.
if mkdir -p "$T/full" && mount -t tmpfs -o size=2m tmpfs "$T/full" 2>"$T/mount.err"; then
    ovsdb_kill TERM
    cp "$OVSDB_DIR/conf.db" "$T/full/conf.db"
    old_dir=$OVSDB_DIR
    OVSDB_DIR=$T/full DB=unix:$T/full/db.sock
    ovsdb_run
    cat /dev/zero >"$T/full/filler" 2>/dev/null # to the last byte
    # The database file's last page may still take a small write: use it up.
    for k in $(seq 50); do vsctl set Open_vSwitch . external_ids:filler=$k 2>/dev/null || break; done
    faults=$((faults + 1))
    request 91
    snapshot=$(invariants_snapshot)
    run --ovsdb "$DB" "${C[@]}" plug --request "$T/req91.json"
    check "a full disk under ovsdb-server: the plug fails with ovsdb_error (exit 70)" expect_error ovsdb_error 70
    check "... nothing half-done: OVSDB as it was" test "$(invariants_snapshot)" = "$snapshot"
    rm -f "$T/full/filler"
    check "... with room again the retry succeeds" retry 91
    check "... exactly 4 ports, each once" exactly_four 91
    ovsdb_kill TERM
    umount "$T/full" 2>/dev/null || umount -l "$T/full"
    OVSDB_DIR=$old_dir DB=unix:$old_dir/db.sock
    ovsdb_run
else
    skip "a full disk under ovsdb-server" "this machine cannot mount a tmpfs: $(cat "$T/mount.err")"
fi
echo "# reliability: faults=$faults violations=$violations"

done_testing
