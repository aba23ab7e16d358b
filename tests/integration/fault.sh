#!/usr/bin/env bash
# Faults during a 4-NIC plug: whatever ovsdb-server went through, retrying
# the same request ends with exactly the 4 ports, each once.
. "$(dirname "$0")/../lib/harness.sh"

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
    for _ in 1 2 3 4 5; do
        run --ovsdb "$DB" "${C[@]}" plug --request "$T/req$1.json"
        [[ $status == 0 ]] && return 0
        sleep 0.2
    done
    return 1
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
for i in $(seq 3 12); do
    request $i
    "$CSDPDK" --ovsdb "$DB" "${C[@]}" plug --request "$T/req$i.json" >"$T/out$i" 2>&1 &
    plug=$!
    sleep "0.00$((RANDOM % 10))"
    ovsdb_kill KILL
    wait $plug
    first=$?
    ovsdb_run
    if retry $i && exactly_four $i; then
        ok "killed at a random moment (first attempt exit $first): after the retry exactly 4 ports"
    else
        fail "killed at a random moment (first attempt exit $first)" "$out"
    fi
done

names=$(vsctl --bare --columns=name list Interface | grep '^csdpdk-' | sort)
check "no name twice among all $(wc -l <<<"$names") ports" test "$(uniq -d <<<"$names" | wc -l)" = 0

done_testing
