# Private libvirtd (QEMU driver) instances, a tiny direct-boot guest and a
# DPDK testpmd vhost-user backend, for the integration tests that must prove a
# domain XML really starts and its vhost-user NIC links up.
#
# Source it from a test (after tests/lib/harness.sh when that is used too):
#
#   . tests/lib/harness.sh
#   . tests/lib/libvirtd.sh
#   reason=$(libvirtd_available) || { skip "libvirt" "$reason"; ...; }
#   libvirtd_start h1 "$T/h1"            # sets LIBVIRT_URI (and LIBVIRT_URIS[h1])
#   guest_prepare                         # sets GUEST_KERNEL, GUEST_INITRD (cached)
#   backend_start b1 "$T/vhu.sock" client # QEMU is the socket server
#   guest_domain_xml vm1 "$T/vhu.sock" server 52:54:00:00:00:01 >"$T/vm1.xml"
#   virsh -c "$LIBVIRT_URI" define --validate "$T/vm1.xml" && virsh -c "$LIBVIRT_URI" start vm1
#   backend_wait_link b1 up 60
#
# Each libvirtd runs in its own mount namespace (unshare -m), where its
# instance directory is bind-mounted over /etc/libvirt, /run/libvirt,
# /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt, and copies of
# /etc/passwd and /etc/group that know libvirt-qemu over the real ones. Where
# one of those directories does not exist on the host, its parent is covered
# by an overlay (upper layer in the instance directory) inside the namespace,
# so nothing is ever created or changed on the host. Several instances run
# side by side; each is reached as qemu+unix:///system?socket=DIR/run/libvirt-sock.
# See tests/lib/libvirtd-NOTES.md for the recipe, the traps and the timings.
#
# Everything started here is stopped at exit (chained before harness.sh's own
# cleanup when that is loaded): domains are destroyed, then libvirtd, QEMU
# and testpmd are stopped by PID.

LV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Where guest_prepare keeps the kernel and the initramfs between runs.
GUEST_CACHE=${GUEST_CACHE:-$LV_ROOT/build/guest}
# The kernel package; empty: the one linux-image-cloud-amd64 depends on.
GUEST_KERNEL_PACKAGE=${GUEST_KERNEL_PACKAGE:-}
GUEST_MEMORY_MIB=${GUEST_MEMORY_MIB:-256}
# pci=nomsi: see guest_domain_xml (TCG + MSI-X + vhost-user crashes QEMU 7.2).
GUEST_CMDLINE=${GUEST_CMDLINE:-console=ttyS0 pci=nomsi panic=-1}
# qemu (TCG, works everywhere) or kvm (where /dev/kvm really works).
GUEST_DOMAIN_TYPE=${GUEST_DOMAIN_TYPE:-qemu}
LIBVIRTD_START_TIMEOUT=${LIBVIRTD_START_TIMEOUT:-60}
# QEMU capabilities probed by a previous instance: copied into each new one
# (libvirt re-probes whatever no longer matches), which cuts a start from
# about 8 s to about 0.5 s. Empty: no seeding.
LIBVIRTD_CAPS_CACHE=${LIBVIRTD_CAPS_CACHE-$GUEST_CACHE/libvirt-caps}
# libvirtd's log_outputs level (1 debug ... 4 error) and log_filters.
LIBVIRTD_LOG_LEVEL=${LIBVIRTD_LOG_LEVEL:-3}
LIBVIRTD_LOG_FILTERS=${LIBVIRTD_LOG_FILTERS:-}
# Bump when the initramfs recipe changes: the cache is rebuilt.
GUEST_RECIPE=6

declare -gA LIBVIRTD_PID=() LIBVIRTD_DIR=() LIBVIRT_URIS=()
declare -gA TESTPMD_PID=() TESTPMD_FD=() TESTPMD_LOG=() TESTPMD_PREFIX=() TESTPMD_SOCK=() TESTPMD_MODE=()
LIBVIRT_URI=${LIBVIRT_URI:-}

# A directory of our own for logs and FIFOs: harness.sh's $T, or our own.
if [[ -n ${T:-} && -d ${T:-} ]]; then
    LV_TMP=$T
else
    LV_TMP=$(mktemp -d /tmp/csdpdk-lv.XXXXXX)
    LV_OWN_TMP=1
fi

# _lv_alive PID: exists and is not a zombie (harness.sh's alive, if absent).
_lv_alive() {
    local state
    state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# _lv_kill PID [SECONDS]: TERM, wait up to SECONDS (default 10), then KILL.
_lv_kill() {
    local pid=$1 tries=$((${2:-10} * 10)) i
    _lv_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < tries; i++)); do
        _lv_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        _lv_alive "$pid" || return 0
        sleep 0.1
    done
    return 1
}

# lv_now: seconds since the epoch, with milliseconds.
lv_now() {
    date +%s.%3N
}

# lv_plus T D: T (from lv_now) plus D seconds (D may be negative), as lv_now
# writes it.
lv_plus() {
    awk -v t="$1" -v d="$2" 'BEGIN { printf "%.3f\n", t + d }'
}

# lv_since T0: seconds elapsed since T0 (from lv_now), e.g. "3.52".
lv_since() {
    awk -v a="$1" -v b="$(date +%s.%3N)" 'BEGIN { printf "%.2f\n", b - a }'
}

# ---- availability ----

# libvirtd_available: succeeds when private libvirtd instances with the QEMU
# driver can run here; otherwise prints one line saying precisely what is
# missing and fails. Use: reason=$(libvirtd_available) || skip ... "$reason".
libvirtd_available() {
    local c drv
    if [[ $(id -u) != 0 ]]; then
        echo "needs root: a privileged libvirtd in its own mount namespace"
        return 1
    fi
    for c in libvirtd virsh unshare mount qemu-system-x86_64; do
        if ! command -v "$c" >/dev/null; then
            case $c in
            libvirtd) echo "no libvirtd: install the Debian package libvirt-daemon" ;;
            virsh) echo "no virsh: install the Debian package libvirt-clients" ;;
            qemu-system-x86_64) echo "no qemu-system-x86_64: install the Debian package qemu-system-x86" ;;
            *) echo "no $c: install the Debian package util-linux/mount" ;;
            esac
            return 1
        fi
    done
    drv=$(compgen -G '/usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so' | head -1)
    if [[ -z $drv ]]; then
        echo "no libvirt QEMU driver: install the Debian package libvirt-daemon-driver-qemu"
        return 1
    fi
    if ! unshare -m --propagation private true 2>/dev/null; then
        echo "cannot make a private mount namespace (unshare -m failed: no CAP_SYS_ADMIN?)"
        return 1
    fi
    if ! grep -qw hugetlbfs /proc/filesystems; then
        echo "the kernel has no hugetlbfs (libvirt's hugetlbfs_mount needs one)"
        return 1
    fi
    if ! unshare -m --propagation private sh -c \
        'mount -t tmpfs none /mnt && mkdir /mnt/h && mount -t hugetlbfs none /mnt/h' 2>/dev/null; then
        echo "cannot mount tmpfs and hugetlbfs inside a private mount namespace"
        return 1
    fi
    for c in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
        [[ -d $c ]] && continue
        if ! unshare -m --propagation private sh -c 'mount -t tmpfs none /mnt &&
            mkdir /mnt/l /mnt/u /mnt/w /mnt/m &&
            mount -t overlay overlay -o lowerdir=/mnt/l,upperdir=/mnt/u,workdir=/mnt/w /mnt/m' 2>/dev/null; then
            echo "$c does not exist and overlayfs cannot provide it inside a mount namespace"
            return 1
        fi
        break
    done
    return 0
}

# backend_available: succeeds when dpdk-testpmd can be used as a vhost-user
# backend; otherwise prints why and fails.
backend_available() {
    if ! command -v dpdk-testpmd >/dev/null; then
        echo "no dpdk-testpmd: install the Debian package dpdk-dev"
        return 1
    fi
    if ! command -v stdbuf >/dev/null; then
        echo "no stdbuf (coreutils)"
        return 1
    fi
    if ! compgen -G '/usr/lib/*/dpdk/pmds-*/librte_net_vhost.so*' >/dev/null &&
        ! compgen -G '/usr/lib/*/librte_net_vhost.so*' >/dev/null; then
        echo "no DPDK vhost PMD (librte_net_vhost): install the Debian package librte-net-vhost23 (dpdk-dev brings it)"
        return 1
    fi
    return 0
}

# ---- libvirtd ----

# libvirtd_start NAME DIR [PATH=SOURCE...]: starts a private libvirtd called
# NAME whose state lives in DIR (created; reused if it exists, e.g. to
# restart a host). Each PATH=SOURCE also bind-mounts directory SOURCE over
# PATH in its namespace (PATH is made in an overlay if missing), so that two
# "hosts" can see one domain XML's socket path (say /run/csdpdk-vhost) as
# directories of their own, as two real hosts would. QEMU, which inherits
# the namespace, sees PATH; a backend outside it uses SOURCE. Sets
# LIBVIRT_URI (the last started), LIBVIRT_URIS[NAME], LIBVIRTD_PID[NAME],
# LIBVIRTD_DIR[NAME]; appends the PID to harness.sh's daemon_pids. Returns
# once `virsh -c URI version` answers (at most LIBVIRTD_START_TIMEOUT s);
# on failure prints the daemon's stderr and log tail and fails.
libvirtd_start() {
    local name=$1 dir pid uri i b binds=()
    dir=$(mkdir -p "$2" && cd "$2" && pwd) || return 1
    shift 2
    for b in "$@"; do
        [[ $b == /*=/* ]] || {
            echo "libvirtd_start: '$b' is not PATH=SOURCE (both absolute)" >&2
            return 1
        }
        mkdir -p "${b#*=}" || return 1
        binds+=("$b")
    done
    if [[ -n ${LIBVIRTD_PID[$name]:-} ]] && _lv_alive "${LIBVIRTD_PID[$name]}"; then
        echo "libvirtd_start: $name is already running (PID ${LIBVIRTD_PID[$name]})" >&2
        return 1
    fi
    mkdir -p "$dir"/{etc,run,lib,cache,log,hugepages,ovl} || return 1
    _lv_write_config "$dir" || return 1
    _lv_write_ns_script "$dir" "${binds[@]}" || return 1
    rm -f "$dir/run/libvirt-sock" "$dir/run/libvirtd.pid"
    if [[ -n $LIBVIRTD_CAPS_CACHE && -d $LIBVIRTD_CAPS_CACHE ]] &&
        ! compgen -G "$dir/cache/qemu/capabilities/*.xml" >/dev/null; then
        mkdir -p "$dir/cache/qemu/capabilities" &&
            cp "$LIBVIRTD_CAPS_CACHE"/*.xml "$dir/cache/qemu/capabilities/" 2>/dev/null
    fi
    # unshare (without --fork) execs bash, which execs libvirtd: $! is libvirtd.
    # LIBVIRTD_NETNS (a network namespace's file, e.g. /proc/PID/ns/net): the
    # daemon, and the QEMUs and tap devices it makes, live in it.
    ${LIBVIRTD_NETNS:+nsenter --net="$LIBVIRTD_NETNS"} unshare -m --propagation private -- bash "$dir/ns-start.sh" \
        </dev/null >>"$dir/libvirtd.stdout" 2>>"$dir/libvirtd.stderr" &
    pid=$!
    uri="qemu+unix:///system?socket=$dir/run/libvirt-sock"
    LIBVIRTD_PID[$name]=$pid
    LIBVIRTD_DIR[$name]=$dir
    LIBVIRT_URIS[$name]=$uri
    LIBVIRT_URI=$uri
    if declare -p daemon_pids >/dev/null 2>&1; then daemon_pids+=("$pid"); fi
    for ((i = 0; i < LIBVIRTD_START_TIMEOUT * 10; i++)); do
        if ! _lv_alive "$pid"; then
            echo "libvirtd $name (PID $pid) exited during start-up" >&2
            _lv_diag "$name" >&2
            return 1
        fi
        if [[ -S $dir/run/libvirt-sock ]] && virsh -q -c "$uri" version >/dev/null 2>&1; then
            _lv_save_caps "$dir"
            return 0
        fi
        sleep 0.1
    done
    echo "libvirtd $name did not answer 'virsh version' within ${LIBVIRTD_START_TIMEOUT}s" >&2
    _lv_diag "$name" >&2
    return 1
}

# _lv_save_caps DIR: keeps the instance's probed QEMU capabilities for the
# next instances (file by file, each replaced atomically).
_lv_save_caps() {
    local f
    [[ -n $LIBVIRTD_CAPS_CACHE ]] || return 0
    mkdir -p "$LIBVIRTD_CAPS_CACHE" 2>/dev/null || return 0
    for f in "$1"/cache/qemu/capabilities/*.xml; do
        [[ -f $f ]] || continue
        cmp -s "$f" "$LIBVIRTD_CAPS_CACHE/${f##*/}" && continue
        cp "$f" "$LIBVIRTD_CAPS_CACHE/.${f##*/}.$$" &&
            mv -f "$LIBVIRTD_CAPS_CACHE/.${f##*/}.$$" "$LIBVIRTD_CAPS_CACHE/${f##*/}"
    done
    return 0
}

# _lv_diag NAME: what a failed start left behind.
_lv_diag() {
    local dir=${LIBVIRTD_DIR[$1]}
    echo "--- $dir/libvirtd.stderr"
    tail -n 20 "$dir/libvirtd.stderr" 2>/dev/null
    echo "--- $dir/log/libvirtd.log"
    tail -n 20 "$dir/log/libvirtd.log" 2>/dev/null
}

# _lv_write_config DIR: libvirtd.conf, qemu.conf, passwd and group for the
# instance (rewritten at each start).
_lv_write_config() {
    local dir=$1 filters=""
    [[ -n $LIBVIRTD_LOG_FILTERS ]] && filters="log_filters = \"$LIBVIRTD_LOG_FILTERS\""
    # A host UUID of its own (kept across restarts): libvirt refuses to
    # migrate between two daemons that report the same host UUID.
    [[ -s $dir/host-uuid ]] || cat /proc/sys/kernel/random/uuid >"$dir/host-uuid" || return 1
    cat >"$dir/etc/libvirtd.conf" <<EOF
# Private test instance (tests/lib/libvirtd.sh). Paths are as seen inside
# its mount namespace, where $dir/log is /var/log/libvirt.
unix_sock_group = "root"
unix_sock_ro_perms = "0770"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "$LIBVIRTD_LOG_LEVEL:file:/var/log/libvirt/libvirtd.log"
$filters
host_uuid = "$(cat "$dir/host-uuid")"
EOF
    cat >"$dir/etc/qemu.conf" <<EOF
# Private test instance (tests/lib/libvirtd.sh).
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
# No virtlogd: QEMU's stdout/stderr go straight to /var/log/libvirt/qemu.
stdio_handler = "file"
# No cgroups: libvirt would otherwise make (or fail to make) its own.
cgroup_controllers = [ ]
# namespaces: libvirt's default (a mount namespace with a private /dev per
# QEMU, as on a real host) works here; set LIBVIRTD_QEMU_NAMESPACES='[ ]'
# to turn it off.
${LIBVIRTD_QEMU_NAMESPACES:+namespaces = $LIBVIRTD_QEMU_NAMESPACES}
# Only our own (empty) hugetlbfs, not every one mounted on the host.
hugetlbfs_mount = "$dir/hugepages"
EOF
    # The privileged QEMU driver looks up libvirt-qemu (its default user)
    # before it reads user = "root".
    cp /etc/passwd "$dir/passwd" && cp /etc/group "$dir/group" || return 1
    grep -q '^libvirt-qemu:' "$dir/group" ||
        echo 'libvirt-qemu:x:64055:' >>"$dir/group"
    grep -q '^kvm:' "$dir/group" || echo 'kvm:x:64056:' >>"$dir/group"
    grep -q '^libvirt-qemu:' "$dir/passwd" ||
        echo "libvirt-qemu:x:64055:$(awk -F: '$1 == "libvirt-qemu" { print $3 }' "$dir/group"):Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin" >>"$dir/passwd"
}

# _lv_write_ns_script DIR [PATH=SOURCE...]: the script run inside the new
# mount namespace; it mounts the instance's directories and execs libvirtd.
_lv_write_ns_script() {
    local dir=$1 b extra=""
    shift
    for b in "$@"; do
        extra+="over '${b#*=}' '${b%%=*}'"$'\n'
    done
    cat >"$dir/ns-start.sh" <<EOF
# Runs inside 'unshare -m --propagation private' (tests/lib/libvirtd.sh).
set -eu
D='$dir'
# over SRC DST: bind SRC over DST; a missing DST is made in an overlay of
# its parent (upper layer under \$D/ovl), so the host stays untouched.
over() {
    local src=\$1 dst=\$2 parent tag
    if [ ! -e "\$dst" ]; then
        parent=\$(dirname "\$dst")
        tag=\$(echo "\$parent" | tr / _)
        if [ ! -d "\$D/ovl/\$tag.up" ]; then
            mkdir -p "\$D/ovl/\$tag.up" "\$D/ovl/\$tag.work"
            mount -t overlay overlay -o "lowerdir=\$parent,upperdir=\$D/ovl/\$tag.up,workdir=\$D/ovl/\$tag.work" "\$parent"
        fi
        mkdir -p "\$dst"
    fi
    mount --bind "\$src" "\$dst"
}
rm -rf "\$D/ovl" && mkdir -p "\$D/ovl"
# The extra binds first: an overlay they make over a parent (/etc for
# /etc/csdpdk) must lie under the binds below, not hide them.
${extra}over "\$D/etc" /etc/libvirt
over "\$D/run" /run/libvirt
over "\$D/lib" /var/lib/libvirt
over "\$D/cache" /var/cache/libvirt
over "\$D/log" /var/log/libvirt
mount --bind "\$D/passwd" /etc/passwd
mount --bind "\$D/group" /etc/group
mount -t hugetlbfs -o pagesize=2M csdpdk-hugepages "\$D/hugepages"
echo "namespace ready: \$(date +%s.%3N)"
exec libvirtd -p "\$D/run/libvirtd.pid"
EOF
}

# libvirtd_uri NAME: prints the URI of instance NAME.
libvirtd_uri() {
    echo "${LIBVIRT_URIS[$1]}"
}

# lvsh NAME VIRSH-ARGS...: virsh against instance NAME, killed after
# LVSH_TIMEOUT seconds (default 120): 'virsh start' of a vhost-user domain
# otherwise waits forever for a backend that never comes.
lvsh() {
    local name=$1
    shift
    timeout "${LVSH_TIMEOUT:-120}" virsh -q -c "${LIBVIRT_URIS[$name]}" "$@"
}

# libvirtd_stop NAME: destroys every running domain of instance NAME, stops
# its libvirtd (TERM, then KILL after 10 s) and any QEMU it left, by PID. The
# instance directory is kept (harness.sh removes $T).
libvirtd_stop() {
    local name=$1 pid dir dom f qpid
    pid=${LIBVIRTD_PID[$name]:-}
    dir=${LIBVIRTD_DIR[$name]:-}
    [[ -n $pid ]] || return 0
    if _lv_alive "$pid"; then
        for dom in $(timeout 30 virsh -q -c "${LIBVIRT_URIS[$name]}" list --name 2>/dev/null); do
            timeout 30 virsh -q -c "${LIBVIRT_URIS[$name]}" destroy "$dom" >/dev/null 2>&1
        done
    fi
    _lv_kill "$pid" 10
    # A QEMU outlives libvirtd; its PID file is in the instance's run dir.
    for f in "$dir"/run/qemu/*.pid; do
        [[ -f $f ]] || continue
        qpid=$(cat "$f" 2>/dev/null) || continue
        [[ $qpid =~ ^[0-9]+$ ]] || continue
        if _lv_alive "$qpid" && [[ $(cat "/proc/$qpid/comm" 2>/dev/null) == qemu-system* ]]; then
            _lv_kill "$qpid" 5
        fi
    done
    wait "$pid" 2>/dev/null
    unset "LIBVIRTD_PID[$name]"
    return 0
}

# domain_qemu_pid NAME DOMAIN: prints the PID of the domain's QEMU.
domain_qemu_pid() {
    cat "${LIBVIRTD_DIR[$1]}/run/qemu/$2.pid" 2>/dev/null
}

# domain_state NAME DOMAIN: prints virsh domstate (e.g. "running").
domain_state() {
    lvsh "$1" domstate "$2" 2>/dev/null | head -1
}

# ---- the guest ----

# The guest's /init (busybox sh). It loads the modules listed in
# /etc/modules, brings every ethN up, and then, every second, reports eth0's
# carrier changes on the console and sends one ICMPv6 echo to ff02::1
# (link-local all-nodes: it never leaves the virtual link) so that a backend
# sees traffic; every 10 s it prints eth0's counters and its uptime. With
# csdpdk.ping=SECONDS on the kernel command line it sends instead one echo
# every SECONDS on each ethN, each in the background so that a lost reply
# never delays the next (the migration test clocks the outage by them).
# With csdpdk.percpu=1 as well, each ethN gets one such loop per online
# CPU, pinned to it (busybox taskset), and the console says how many
# queues each ethN has and which CPUs send on each (XPS): the guest's
# kernel picks the transmit queue by the sending CPU, so every queue of
# a multi-queue NIC carries traffic (tests/integration/multiqueue.sh).
# With csdpdk.seq=SECONDS it runs instead one ping6 on each ethN, an echo
# every SECONDS, numbered in sequence (frames.py shows the numbers: a hole
# is a lost frame; tests/integration/adopt.sh), started again should it
# end (busybox's ends at a failed send, as before the link is up).
# With csdpdk.poweroff=SECONDS it powers itself off after SECONDS, as a
# guest shut down from inside does (ACPI off: QEMU exits).
_guest_init_script() {
    cat <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "csdpdk-guest: init at $(cut -d' ' -f1 /proc/uptime)s, kernel $(uname -r)"
for m in $(cat /etc/modules); do
    insmod "/lib/modules/$m.ko" || echo "csdpdk-guest: insmod $m failed"
done
ip link set lo up
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
if [ ! -e /sys/class/net/eth0 ]; then
    echo "csdpdk-guest: no eth0"
    ls /sys/class/net
fi
grep -E 'virtio|MSI' /proc/interrupts | sed 's/^/csdpdk-guest: irq /'
ping=
seq=
percpu=
for a in $(cat /proc/cmdline); do
    case $a in
    csdpdk.ping=*) ping=${a#csdpdk.ping=} ;;
    csdpdk.seq=*) seq=${a#csdpdk.seq=} ;;
    csdpdk.percpu=1) percpu=1 ;;
    csdpdk.poweroff=*) (sleep "${a#csdpdk.poweroff=}"; echo "csdpdk-guest: powering off"; poweroff -f) & ;;
    esac
done
for d in /sys/class/net/eth*; do
    n=${d##*/}
    ip link set "$n" up
    echo "csdpdk-guest: $n $(cat "$d/address") up at $(cut -d' ' -f1 /proc/uptime)s"
    if [ -n "$ping" ] && [ -n "$percpu" ]; then
        echo "csdpdk-guest: $n queues rx $(ls -d "$d"/queues/rx-* | wc -l) tx $(ls -d "$d"/queues/tx-* | wc -l), xps_cpus $(cat "$d"/queues/tx-*/xps_cpus | tr '\n' ' ')on $(nproc) CPUs"
        c=0
        while [ $c -lt "$(nproc)" ]; do
            taskset -c $c sh -c "while :; do ping6 -c 1 -W 1 -I $n ff02::1 >/dev/null 2>&1 & sleep $ping; done" &
            c=$((c + 1))
        done
    elif [ -n "$seq" ]; then
        # busybox's ping6 ends at a failed send (no link yet): again, a new one.
        (while :; do ping6 -i "$seq" -I "$n" ff02::1 >/dev/null 2>&1; sleep "$seq"; done) &
    elif [ -n "$ping" ]; then
        (while :; do ping6 -c 1 -W 1 -I "$n" ff02::1 >/dev/null 2>&1 & sleep "$ping"; done) &
    fi
done
last=
i=0
while :; do
    c=$(cat /sys/class/net/eth0/carrier 2>/dev/null)
    if [ "$c" != "$last" ]; then
        echo "csdpdk-guest: eth0 carrier ${c:-?} at $(cut -d' ' -f1 /proc/uptime)s"
        last=$c
    fi
    [ "$c" = 1 ] && [ -z "$ping$seq" ] && ping6 -c 1 -W 1 -I eth0 ff02::1 >/dev/null 2>&1
    sleep 1
    i=$((i + 1))
    if [ $((i % 10)) = 0 ]; then
        echo "csdpdk-guest: eth0 rx $(cat /sys/class/net/eth0/statistics/rx_packets) tx $(cat /sys/class/net/eth0/statistics/tx_packets) at $(cut -d' ' -f1 /proc/uptime)s"
    fi
done
EOF
}

# The modules to load, with their dependencies (resolved at build time).
GUEST_MODULES=${GUEST_MODULES:-virtio_pci virtio_net}

# guest_prepare: makes sure GUEST_CACHE holds vmlinuz and initrd.img (a
# Debian cloud kernel, extracted with dpkg-deb, never installed; a
# busybox-static initramfs that loads virtio_net and its dependencies and
# sets eth0 up); builds them once (apt-get download, about 30 MB), then
# reuses them. Sets GUEST_KERNEL and GUEST_INITRD and prints both paths.
# Concurrent callers are serialised with flock.
guest_prepare() {
    mkdir -p "$GUEST_CACHE" || return 1
    (
        flock 9 || exit 1
        _guest_build
    ) 9>"$GUEST_CACHE/.lock" || return 1
    GUEST_KERNEL=$GUEST_CACHE/vmlinuz
    GUEST_INITRD=$GUEST_CACHE/initrd.img
    echo "kernel: $GUEST_KERNEL"
    echo "initrd: $GUEST_INITRD"
    sed 's/^/info: /' "$GUEST_CACHE/info"
}

# The stamp: what the cached files were built from.
_guest_stamp() {
    { echo "recipe $GUEST_RECIPE"; echo "package ${GUEST_KERNEL_PACKAGE:-cloud}";
      echo "modules $GUEST_MODULES"; _guest_init_script; } | sha256sum | cut -d' ' -f1
}

_guest_build() {
    local c=$GUEST_CACHE stamp pkg work kver mdir m order=() seen=() f
    stamp=$(_guest_stamp)
    if [[ -f $c/stamp && $(cat "$c/stamp") == "$stamp" && -s $c/vmlinuz && -s $c/initrd.img ]]; then
        return 0
    fi
    echo "guest_prepare: building the guest in $c" >&2
    pkg=$GUEST_KERNEL_PACKAGE
    if [[ -z $pkg ]]; then
        pkg=$(_guest_resolve linux-image-cloud-amd64) || {
            echo "guest_prepare: apt knows no linux-image-cloud-amd64 (even after apt-get update)" >&2
            return 1
        }
    fi
    work=$c/work
    rm -rf "$work" && mkdir -p "$work/deb" "$work/root" || return 1
    if ! (cd "$work/deb" && apt-get -q -o APT::Sandbox::User=root download "$pkg" busybox-static) >&2; then
        # Stale package lists (a kernel security update replaced the
        # version they name): refresh them once and try again.
        echo "guest_prepare: download failed; apt-get update and retry" >&2
        apt-get update -q >&2
        [[ -n $GUEST_KERNEL_PACKAGE ]] || pkg=$(_guest_resolve linux-image-cloud-amd64) || return 1
        rm -f "$work"/deb/*.deb
        (cd "$work/deb" && apt-get -q -o APT::Sandbox::User=root download "$pkg" busybox-static) >&2 || {
            echo "guest_prepare: apt-get download $pkg busybox-static failed" >&2
            return 1
        }
    fi
    dpkg-deb -x "$work"/deb/linux-image-*.deb "$work/k" &&
        dpkg-deb -x "$work"/deb/busybox-static_*.deb "$work/bb" || return 1
    kver=$(ls "$work/k/lib/modules" | head -1)
    mdir=$work/k/lib/modules/$kver
    [[ -n $kver && -f $work/k/boot/vmlinuz-$kver ]] || {
        echo "guest_prepare: no vmlinuz in $pkg" >&2
        return 1
    }
    # Dependencies first, each once; built-in modules need nothing.
    _guest_add_module() {
        local name=$1 ko dep out
        [[ " ${seen[*]} " == *" $name "* ]] && return 0
        seen+=("$name")
        if grep -qE "/$name\.ko$" "$mdir/modules.builtin" 2>/dev/null; then
            return 0
        fi
        ko=$(find "$mdir" -name "$name.ko" -o -name "$name.ko.xz" -o -name "$name.ko.zst" | head -1)
        [[ -z $ko ]] && ko=$(find "$mdir" -name "${name//_/-}.ko*" | head -1)
        [[ -n $ko ]] || {
            echo "guest_prepare: module $name is neither in $pkg nor built in" >&2
            return 1
        }
        out=$work/root/lib/modules/$name.ko
        mkdir -p "${out%/*}"
        case $ko in
        *.xz) xz -dc "$ko" >"$out" ;;
        *.zst) zstd -qdc "$ko" >"$out" ;;
        *) cp "$ko" "$out" ;;
        esac || return 1
        # "depends=a,b" in the module's .modinfo (what modinfo -F depends
        # reads; no kmod needed).
        for dep in $(tr '\0' '\n' <"$out" | sed -n 's/^depends=//p' | head -1 | tr ',' ' '); do
            _guest_add_module "$dep" || return 1
        done
        order+=("$name")
    }
    for m in $GUEST_MODULES; do
        _guest_add_module "$m" || return 1
    done
    mkdir -p "$work/root"/{bin,etc,proc,sys,dev,tmp} || return 1
    cp "$work/bb/bin/busybox" "$work/root/bin/busybox" || return 1
    printf '%s\n' "${order[@]}" >"$work/root/etc/modules"
    _guest_init_script >"$work/root/init" && chmod 755 "$work/root/init"
    (cd "$work/root" && find . | sort | "$work/bb/bin/busybox" cpio -o -H newc -R 0:0 2>/dev/null) |
        gzip -9 >"$c/initrd.img.new" || return 1
    cp "$work/k/boot/vmlinuz-$kver" "$c/vmlinuz.new" || return 1
    mv "$c/vmlinuz.new" "$c/vmlinuz" && mv "$c/initrd.img.new" "$c/initrd.img" || return 1
    {
        echo "kernel package $pkg ($kver)"
        echo "busybox-static $(dpkg-deb -f "$work"/deb/busybox-static_*.deb Version)"
        echo "modules ${order[*]}"
        echo "built $(date -u +%FT%TZ)"
    } >"$c/info"
    echo "$stamp" >"$c/stamp"
    rm -rf "$work"
}

# _guest_resolve META: the package META depends on (apt-get update once if
# apt knows nothing yet).
_guest_resolve() {
    local p
    p=$(apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
    if [[ -z $p ]]; then
        apt-get update -q >&2 || return 1
        p=$(apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
    fi
    [[ -n $p ]] && echo "$p"
}

# guest_domain_xml NAME SOCKET MODE MAC [CONSOLE_LOG]: prints a minimal
# domain for the test guest with one vhost-user NIC. MODE is libvirt's
# <source mode>: server (QEMU listens on SOCKET; the backend connects, e.g.
# testpmd client=1) or client (QEMU connects, reconnecting every second).
# The guest's serial console goes to CONSOLE_LOG (default $LV_TMP/NAME.console).
# Shared memory for vhost-user: memfd, shared, and a NUMA cell with
# memAccess='shared' (no hugepages needed); GUEST_MEMFD=0 leaves the
# <memoryBacking> out (for csdpdk to add CloudStack's hugepages). The MSI-X crash of TCG QEMU 7.2
# with vhost-user is avoided by pci=nomsi in GUEST_CMDLINE; set
# GUEST_VECTORS0=1 to use <qemu:override> vectors=0 instead (on net0,
# libvirt's own alias for the first NIC; the domain is tainted custom-device).
guest_domain_xml() {
    local name=$1 sock=$2 mode=$3 mac=$4 console=${5:-$LV_TMP/$1.console}
    local kib=$((GUEST_MEMORY_MIB * 1024)) reconnect="" override="" backing=""
    if [[ ${GUEST_MEMFD:-1} == 1 ]]; then
        backing="
  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>"
    fi
    [[ $mode == client ]] && reconnect="<reconnect enabled='yes' timeout='1'/>"
    if [[ ${GUEST_VECTORS0:-0} == 1 ]]; then
        override="
  <qemu:override>
    <qemu:device alias='net0'>
      <qemu:frontend>
        <qemu:property name='vectors' type='unsigned' value='0'/>
      </qemu:frontend>
    </qemu:device>
  </qemu:override>"
    fi
    cat <<EOF
<domain type='$GUEST_DOMAIN_TYPE' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$name</name>
  <memory unit='KiB'>$kib</memory>
  <currentMemory unit='KiB'>$kib</currentMemory>$backing
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${GUEST_KERNEL:-$GUEST_CACHE/vmlinuz}</kernel>
    <initrd>${GUEST_INITRD:-$GUEST_CACHE/initrd.img}</initrd>
    <cmdline>$GUEST_CMDLINE</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <cpu>
    <numa>
      <cell id='0' cpus='0' memory='$kib' unit='KiB' memAccess='shared'/>
    </numa>
  </cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <controller type='usb' model='none'/>
    <interface type='vhostuser'>
      <mac address='$mac'/>
      <source type='unix' path='$sock' mode='$mode'>$reconnect</source>
      <model type='virtio'/>
    </interface>
    <serial type='file'>
      <source path='$console'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>$override
</domain>
EOF
}

# guest_wait_console FILE REGEX [TIMEOUT]: waits until the guest's console
# log matches REGEX (grep -E); fails after TIMEOUT seconds (default 60).
guest_wait_console() {
    local file=$1 re=$2 t=${3:-60} i
    for ((i = 0; i < t * 10; i++)); do
        grep -qE "$re" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# ---- testpmd: a vhost-user backend without Open vSwitch ----

# backend_start NAME SOCKET client|server: starts dpdk-testpmd (interactive,
# commands through a FIFO, packet forwarding stopped, so it polls nothing and
# costs no CPU) with one vhost-user port on SOCKET. client: testpmd connects
# to QEMU's socket (libvirt mode='server') and retries every second; server:
# testpmd owns SOCKET (a stale file is removed first) and QEMU connects
# (libvirt mode='client'). No hugepages, no PCI, no shared config; the
# runtime directory /run/dpdk/<prefix> is removed by backend_stop. Output
# goes to TESTPMD_LOG[NAME]. Returns once the prompt is there (30 s at most).
backend_start() {
    local name=$1 sock=$2 mode=$3 fifo log prefix pid fd cpus vdev i off
    if [[ -n ${TESTPMD_PID[$name]:-} ]] && _lv_alive "${TESTPMD_PID[$name]}"; then
        echo "backend_start: $name is already running" >&2
        return 1
    fi
    fifo=$LV_TMP/testpmd-$name.in
    log=$LV_TMP/testpmd-$name.log
    prefix=csdpdk-$name-$$
    rm -f "$fifo" && mkfifo "$fifo" || return 1
    touch "$log" && off=$(stat -c %s "$log") || return 1
    vdev="net_vhost0,iface=$sock"
    if [[ $mode == client ]]; then
        vdev+=",client=1"
    else
        rm -f "$sock"
    fi
    # Both lcores may run on any allowed CPU (the forwarding one idles).
    cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
    # Open read-write: no blocking, and the FIFO never reaches EOF.
    exec {fd}<>"$fifo"
    # Event prints are masked and the vhost PMD's info quieted: they come
    # from other threads and may land inside the prompt (see _tp_clean).
    stdbuf -oL -eL dpdk-testpmd --no-huge -m 128 --no-pci --no-telemetry --no-shconf \
        --file-prefix="$prefix" --lcores="0@($cpus),1@($cpus)" --vdev "$vdev" \
        --log-level=pmd.net.vhost:warning -- \
        -i --total-num-mbufs=4096 --disable-link-check --mask-event=all \
        <"$fifo" >>"$log" 2>&1 {fd}>&- &
    pid=$!
    TESTPMD_PID[$name]=$pid
    TESTPMD_FD[$name]=$fd
    TESTPMD_LOG[$name]=$log
    TESTPMD_PREFIX[$name]=$prefix
    TESTPMD_SOCK[$name]=$sock
    TESTPMD_MODE[$name]=$mode
    if declare -p daemon_pids >/dev/null 2>&1; then daemon_pids+=("$pid"); fi
    for ((i = 0; i < 300; i++)); do
        _lv_alive "$pid" || {
            echo "testpmd $name exited at start:" >&2
            tail -n 20 "$log" >&2
            return 1
        }
        # The first prompt (vhost messages may follow it at once).
        [[ $(tail -c +"$((off + 1))" "$log" | _tp_clean) == *"testpmd> "* ]] && return 0
        sleep 0.1
    done
    echo "testpmd $name: no prompt within 30 s; its log ends:" >&2
    tail -c +"$((off + 1))" "$log" | tail -n 15 >&2
    return 1
}

# _tp_clean: testpmd's output less the vhost library's log lines. Those are
# written whole (line-buffered stderr) by the vhost threads, at any moment,
# even between two characters of the prompt ("t" + "VHOST_CONFIG: ...\n" +
# "estpmd> " was seen): removing them restores what the main thread wrote.
_tp_clean() {
    perl -0777 -pe 's/VHOST_(?:CONFIG|DATA): [^\n]*\n//g'
}

# backend_cmd NAME COMMAND: sends one command line to testpmd NAME and prints
# what it answered (up to the next prompt; 10 s at most).
backend_cmd() {
    local name=$1 cmd=$2 log off i out
    log=${TESTPMD_LOG[$name]}
    off=$(stat -c %s "$log")
    printf '%s\n' "$cmd" >&"${TESTPMD_FD[$name]}" || return 1
    for ((i = 0; i < 100; i++)); do
        sleep 0.05
        out=$(tail -c +"$((off + 1))" "$log" | _tp_clean)
        # The echoed command line, the answer, then a fresh prompt (which
        # asynchronous messages, e.g. link state events, may follow).
        if [[ $out == *"testpmd> "* ]]; then
            printf '%s\n' "${out%testpmd> *}"
            return 0
        fi
        _lv_alive "${TESTPMD_PID[$name]}" || return 1
    done
    return 1
}

# backend_link NAME: prints "up" or "down", testpmd's "Link status" of port 0.
backend_link() {
    backend_cmd "$1" "show port info 0" | awk '/Link status:/ { print $3; exit }'
}

# backend_wait_link NAME up|down [TIMEOUT]: waits until port 0's link is as
# given (default 60 s); fails otherwise.
backend_wait_link() {
    local name=$1 want=$2 t=${3:-60} end
    end=$((SECONDS + t))
    while ((SECONDS <= end)); do
        [[ $(backend_link "$name") == "$want" ]] && return 0
        _lv_alive "${TESTPMD_PID[$name]}" || return 1
        sleep 0.2
    done
    return 1
}

# backend_rx_packets NAME: prints port 0's RX-packets counter.
backend_rx_packets() {
    backend_cmd "$1" "show port stats 0" | awk '/RX-packets:/ { print $2; exit }'
}

# backend_traffic NAME [SECONDS]: forwards (io mode: what the guest sends is
# sent back to it) for SECONDS (default 3), then stops; prints the RX-packets
# gained meanwhile. Forwarding busy-polls a CPU, so it is kept short.
backend_traffic() {
    local name=$1 s=${2:-3} before after
    before=$(backend_rx_packets "$name")
    backend_cmd "$name" "start" >/dev/null || return 1
    sleep "$s"
    after=$(backend_rx_packets "$name")
    backend_cmd "$name" "stop" >/dev/null
    echo $((${after:-0} - ${before:-0}))
}

# backend_stop NAME: stops testpmd NAME by PID (TERM, then KILL), closes its
# FIFO and removes its DPDK runtime directory.
backend_stop() {
    local name=$1 pid fd
    pid=${TESTPMD_PID[$name]:-}
    [[ -n $pid ]] || return 0
    _lv_kill "$pid" 10
    wait "$pid" 2>/dev/null
    fd=${TESTPMD_FD[$name]:-}
    if [[ -n $fd ]]; then exec {fd}>&-; fi
    rm -rf "/run/dpdk/${TESTPMD_PREFIX[$name]}" "/var/run/dpdk/${TESTPMD_PREFIX[$name]}"
    unset "TESTPMD_PID[$name]" "TESTPMD_FD[$name]"
    return 0
}

# ---- cleanup at exit ----

# libvirtd_cleanup_all: stops every testpmd and libvirtd (with its domains)
# started here. Runs at exit, before harness.sh's cleanup if there is one.
libvirtd_cleanup_all() {
    local n
    for n in "${!TESTPMD_PID[@]}"; do backend_stop "$n"; done
    for n in "${!LIBVIRTD_PID[@]}"; do libvirtd_stop "$n"; done
    if [[ ${LV_OWN_TMP:-0} == 1 ]]; then rm -rf "$LV_TMP"; fi
}

_lv_prev_trap=$(trap -p EXIT)
_lv_prev_trap=${_lv_prev_trap#trap -- }
_lv_prev_trap=${_lv_prev_trap% EXIT}
if [[ -n $_lv_prev_trap ]]; then
    eval "_lv_prev_trap=$_lv_prev_trap"
    trap "libvirtd_cleanup_all; $_lv_prev_trap" EXIT
else
    trap libvirtd_cleanup_all EXIT
fi
unset _lv_prev_trap
