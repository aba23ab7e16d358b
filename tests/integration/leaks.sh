#!/usr/bin/env bash
# No leaked processes, threads or file descriptors: LEAK_OPS operations
# (plug, status, unplug in turn; default 300, make reliability 10,000)
# against a private ovsdb-server leave no csdpdk process behind and the
# server with the connections it had; under valgrind --track-fds=yes each
# verb ends with only stdin, stdout and stderr open.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/invariants.sh"

OPS=${LEAK_OPS:-300}
ovsdb_start "$T/ovs" >/dev/null || { fail "start ovsdb-server"; done_testing; exit; }
add_bridge br0
mkdir -p "$T/sock"
agent_properties "$T/agent.properties" "$T/sock"
C=(--ovsdb "$DB" --agent-properties "$T/agent.properties" --libvirt test:///default)
server_fds() { ls "/proc/$(ovsdb_pid)/fd" | wc -l; }
server_threads() { ls "/proc/$(ovsdb_pid)/task" | wc -l; }
fds0=$(server_fds) threads0=$(server_threads)
VM=$(uuid_for 1)
plug_request "$VM" client "$(nic "$(mac_for 1 1)" br0)" "$(nic "$(mac_for 1 2)" br0 7)" >"$T/plug.json"
echo "{\"vm\": {\"uuid\": \"$VM\"}}" >"$T/vm.json"
failed=0
for ((i = 0; i < OPS; i++)); do
    case $((i % 3)) in
    0) "$CSDPDK" "${C[@]}" plug --request "$T/plug.json" >/dev/null 2>&1 || failed=$((failed + 1)) ;;
    1) "$CSDPDK" "${C[@]}" status --request "$T/vm.json" >/dev/null 2>&1 || failed=$((failed + 1)) ;;
    2) "$CSDPDK" "${C[@]}" unplug --request "$T/vm.json" >/dev/null 2>&1 || failed=$((failed + 1)) ;;
    esac
done
sleep 0.2
check "$OPS operations (plug, status, unplug), none failed" test "$failed" = 0
check "... no csdpdk process is left" bash -c '! pgrep -x csdpdk >/dev/null'
check "... ovsdb-server has the descriptors and threads it had ($fds0 fds, $threads0 threads)" \
    test "$(server_fds) $(server_threads)" = "$fds0 $threads0"
v=$(invariants_check "$VM" ""); n=$?
check "... and the invariants hold" test "$n" = 0

for verb in plug status unplug gc capabilities; do
    req=()
    case $verb in plug) req=(--request "$T/plug.json") ;; status | unplug) req=(--request "$T/vm.json") ;; esac
    valgrind -q --track-fds=yes --log-file="$T/vg-$verb" "$CSDPDK" "${C[@]}" "$verb" "${req[@]}" >/dev/null 2>&1 </dev/null
    # Each "Open file descriptor N" block: inherited from the test's shell,
    # libopenvswitch's process-wide pipes (xpipe: its fatal-signal and
    # latch pipes, made once per process), or csdpdk's own: those must be none.
    own=$(awk '/Open file descriptor/ { if (fd != "" && !skip) n++; fd = $0; skip = 0; next }
               /inherited from parent|xpipe/ { skip = 1 }
               END { if (fd != "" && !skip) n++; print n + 0 }' "$T/vg-$verb")
    grep -q "FILE DESCRIPTORS" "$T/vg-$verb" || own="valgrind reported nothing"
    check "$verb under valgrind --track-fds: nothing of its own open at exit (OVSDB connection, files: $own)" \
        test "$own" = 0
done
echo "# reliability: faults=0 violations=$n"
done_testing
