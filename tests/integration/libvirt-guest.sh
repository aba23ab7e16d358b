#!/usr/bin/env bash
# A real libvirtd (QEMU driver, private, in its own mount namespace) boots a
# tiny guest whose virtio-net NIC is a vhost-user interface, with DPDK's
# testpmd as the backend (no Open vSwitch):
#   - QEMU as socket server (<source mode='server'>), testpmd client=1;
#   - QEMU as client with <reconnect>, testpmd as server;
# each time the domain is defined with --validate, starts, runs, testpmd sees
# the link up and the guest's traffic, the guest sees carrier; then testpmd
# is restarted and the link must come back. See tests/lib/libvirtd-NOTES.md.
. "$(dirname "$0")/../lib/harness.sh"
. "$(dirname "$0")/../lib/libvirtd.sh"

if ! reason=$(libvirtd_available); then
    skip "private libvirtd with the QEMU driver" "$reason"
    done_testing
    exit
fi
if ! reason=$(backend_available); then
    skip "vhost-user backend (dpdk-testpmd)" "$reason"
    done_testing
    exit
fi

# The host's own libvirt directories, to prove they are left alone.
host_dirs() {
    local d
    for d in /etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
        if [[ -e $d ]]; then
            find "$d" -printf '%p %y %s %T@\n' 2>/dev/null | sort
        else
            echo "$d absent"
        fi
    done
}
host_before=$(host_dirs)

# ---- the guest and the daemon ----
t0=$(lv_now)
if guest_prepare >"$T/guest.out" 2>&1; then
    ok "guest kernel and initramfs ready in $GUEST_CACHE ($(lv_since "$t0") s)"
else
    fail "guest_prepare" "$(tail -n 20 "$T/guest.out")"
    done_testing
    exit
fi
sed 's/^/# /' "$T/guest.out" | grep '^# info:'

t0=$(lv_now)
if libvirtd_start h1 "$T/h1" 2>"$T/h1.err"; then
    ok "private libvirtd answers virsh version ($(lv_since "$t0") s)"
else
    fail "private libvirtd starts" "$(cat "$T/h1.err")"
    done_testing
    exit
fi
check "its socket is in its own directory" test -S "$T/h1/run/libvirt-sock"
check "it reports the QEMU hypervisor" \
    bash -c "virsh -c '$LIBVIRT_URI' version | grep -q 'Running hypervisor: QEMU'"

# gone PID: the process has exited (a zombie counts as gone).
gone() {
    ! alive "$1"
}

# no_process_in DIR: no live process has DIR in its command line (QEMU's
# sockets and consoles, testpmd's --vdev are all under $T).
no_process_in() {
    local p
    for p in $(pgrep -f -- "$1"); do
        alive "$p" && [[ $(cat "/proc/$p/comm") != pgrep ]] && return 1
    done
    return 0
}

# console_count DOMAIN REGEX: matching lines in the guest's console so far.
console_count() {
    grep -cE "$2" "$T/$1.console" 2>/dev/null
}

# wait_count DOMAIN REGEX N TIMEOUT: until at least N lines match.
wait_count() {
    local end=$((SECONDS + $4))
    while ((SECONDS <= end)); do
        (($(console_count "$1" "$2") >= $3)) && return 0
        sleep 0.2
    done
    return 1
}

# boot DOMAIN BACKEND SOCKET MODE MAC: defines (validated) and starts the
# domain; checks it runs, testpmd's link is up, the guest has carrier and
# traffic flows both ways.
boot() {
    local dom=$1 be=$2 sock=$3 mode=$4 mac=$5 t0 out
    guest_domain_xml "$dom" "$sock" "$mode" "$mac" "$T/$dom.console" >"$T/$dom.xml"
    if out=$(lvsh h1 define --validate "$T/$dom.xml" 2>&1); then
        ok "$dom: define --validate accepts the domain"
    else
        fail "$dom: define --validate accepts the domain" "$out"
        return 1
    fi
    t0=$(lv_now)
    if out=$(lvsh h1 start "$dom" 2>&1); then
        ok "$dom: virsh start ($(lv_since "$t0") s)"
    else
        fail "$dom: virsh start" "$out" "$(tail -n 5 "$T/h1/log/qemu/$dom.log")"
        return 1
    fi
    check "$dom: domain is running" test "$(domain_state h1 "$dom")" = running
    if backend_wait_link "$be" up 120; then
        ok "$dom: testpmd reports the vhost-user link up ($(lv_since "$t0") s after start)"
    else
        fail "$dom: testpmd reports the vhost-user link up" \
            "$(tail -n 15 "${TESTPMD_LOG[$be]}")" "$(tail -n 15 "$T/$dom.console")"
        return 1
    fi
    if wait_count "$dom" 'csdpdk-guest: eth0 carrier 1' 1 120; then
        ok "$dom: the guest sees carrier on eth0 ($(lv_since "$t0") s after start)"
    else
        fail "$dom: the guest sees carrier on eth0" "$(tail -n 15 "$T/$dom.console")"
    fi
    check "$dom: the guest's eth0 has the MAC of the domain XML" \
        wait_count "$dom" "csdpdk-guest: eth0 $mac up" 1 5
    traffic "$dom" "$be"
    printf '# %s: QEMU %s\n' "$dom" \
        "$(ps -o pcpu=,rss= -p "$(domain_qemu_pid h1 "$dom")" | awk '{ printf "%s%% CPU, %d MiB RSS", $1, $2 / 1024 }')"
}

# traffic DOMAIN BACKEND: testpmd forwards for 3 s; it must receive the
# guest's packets, and the guest must receive them back.
traffic() {
    local dom=$1 be=$2 n
    n=$(backend_traffic "$be" 3)
    check "$dom: testpmd receives the guest's packets ($n in 3 s)" test "${n:-0}" -gt 0
}

# restart_backend DOMAIN BACKEND SOCKET MODE: stops testpmd; the guest must
# lose carrier; starts it again; link and carrier must come back.
restart_backend() {
    local dom=$1 be=$2 sock=$3 mode=$4 t0 ups
    ups=$(console_count "$dom" 'carrier 1')
    backend_stop "$be"
    if wait_count "$dom" 'csdpdk-guest: eth0 carrier 0' 1 60; then
        ok "$dom: testpmd stopped, the guest loses carrier"
    else
        fail "$dom: testpmd stopped, the guest loses carrier" "$(tail -n 10 "$T/$dom.console")"
    fi
    check "$dom: the domain keeps running without its backend" test "$(domain_state h1 "$dom")" = running
    t0=$(lv_now)
    if ! backend_start "$be" "$sock" "$mode" 2>"$T/$be.err"; then
        fail "$dom: testpmd starts again" "$(cat "$T/$be.err")"
        return 1
    fi
    if backend_wait_link "$be" up 60; then
        ok "$dom: link up again after the testpmd restart ($(lv_since "$t0") s)"
    else
        fail "$dom: link up again after the testpmd restart" \
            "$(tail -n 15 "${TESTPMD_LOG[$be]}")" "$(tail -n 10 "$T/$dom.console")"
        return 1
    fi
    if wait_count "$dom" 'csdpdk-guest: eth0 carrier 1' $((ups + 1)) 60; then
        ok "$dom: the guest has carrier again ($(lv_since "$t0") s)"
    else
        fail "$dom: the guest has carrier again" "$(tail -n 10 "$T/$dom.console")"
    fi
    traffic "$dom" "$be"
}

# teardown DOMAIN BACKEND: destroy, undefine, the QEMU is gone, stop testpmd.
teardown() {
    local dom=$1 be=$2 qpid
    qpid=$(domain_qemu_pid h1 "$dom")
    check "$dom: virsh destroy" lvsh h1 destroy "$dom"
    check "$dom: virsh undefine" lvsh h1 undefine "$dom"
    check "$dom: its QEMU is gone" gone "${qpid:-0}"
    backend_stop "$be"
}

# ---- 1: QEMU is the socket server, testpmd connects (client=1) ----
if backend_start srv "$T/srv.sock" client 2>"$T/srv.err"; then
    boot vm-server srv "$T/srv.sock" server 52:54:00:c5:00:01 &&
        restart_backend vm-server srv "$T/srv.sock" client
else
    fail "testpmd (client=1) starts" "$(cat "$T/srv.err")"
fi
teardown vm-server srv

# ---- 2: QEMU is the client and reconnects; testpmd owns the socket ----
if backend_start cli "$T/cli.sock" server 2>"$T/cli.err"; then
    boot vm-client cli "$T/cli.sock" client 52:54:00:c5:00:02 &&
        restart_backend vm-client cli "$T/cli.sock" server
else
    fail "testpmd (server) starts" "$(cat "$T/cli.err")"
fi
teardown vm-client cli

# ---- the end ----
pid=${LIBVIRTD_PID[h1]}
libvirtd_stop h1
check "libvirtd stopped" gone "$pid"
check "no QEMU or testpmd of this test is left" no_process_in "$T/"
host_after=$(host_dirs)
if [[ $host_before == "$host_after" ]]; then
    ok "the host's own libvirt directories are untouched"
else
    fail "the host's own libvirt directories are untouched" "$(diff <(echo "$host_before") <(echo "$host_after"))"
fi
done_testing
