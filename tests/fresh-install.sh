#!/usr/bin/env bash
# The packages of 'make deb' on a fresh Debian 12: a minimal bookworm root
# that mmdebstrap makes from Debian's archive, under $T, where the README's
# steps run as an operator runs them (chroot): apt-get install of the two
# packages resolves their dependencies from the archive, the maintainer
# scripts run there, csdpdk and its hook run on the libraries apt put
# there, agent-config's lines make agent.properties ready; a reinstall is
# harmless; a removal keeps the operator's settings and a purge leaves
# nothing. Nothing of this host is installed or changed: /proc and /sys are
# mounted into the root only in a private mount namespace of one command.
# About 40 s, most of it mmdebstrap. It needs Debian's archive, as make deps
# does; a machine that cannot reach it gets a skip that says so.
#
#   DEB_DIR=build/deb CSDPDK_VERSION=0.1.0 bash tests/fresh-install.sh
. "$(dirname "$0")/lib/harness.sh"

: "${DEB_DIR:?}" "${CSDPDK_VERSION:?}"
V=$CSDPDK_VERSION
# The archive this host's apt takes bookworm from (a local mirror where it
# has one), else Debian's; FRESH_MIRROR overrides.
MIRROR=${FRESH_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
    awk '$2 == "bookworm" { print $1; exit }')}
MIRROR=${MIRROR:-http://deb.debian.org/debian/}
BIN=csdpdk_${V}_$(dpkg --print-architecture).deb
JAVA=csdpdk-java-bridge_${V}_all.deb
AGENT=csdpdk-cloudstack-agent_${V}_all.deb
R=$T/root

# in_root COMMAND...: runs the command in the fresh root, as root there;
# sets $out, $err, $status.
in_root() {
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 capture chroot "$R" "$@" </dev/null
}
# with_proc COMMAND...: in_root with /proc and /sys of this host mounted
# there, in a mount namespace of its own (gone when it ends).
with_proc() {
    capture unshare --mount --propagation private sh -c 'mount -t proc proc "$1/proc" && mount --rbind /sys "$1/sys" &&
        exec chroot "$@"' _ "$R" "$@" </dev/null
}
# pkg_status PACKAGE: dpkg's status of it in the root ("install ok
# installed"); pkg_count: how many packages the root has.
pkg_status() { chroot "$R" dpkg-query -W -f '${Status}' "$1" 2>/dev/null; }
pkg_count() { chroot "$R" dpkg-query -W -f '${Package}\n' | wc -l; }
# systemd_state: the files of csdpdk's in the root's systemd directories
# (links, masks, deb-systemd-helper's records), one per line.
systemd_state() {
    find "$R/etc/systemd" "$R/var/lib/systemd" -name '*csdpdk*' 2>/dev/null | sed "s|^$R||" | sort
}

# A machine that cannot reach the archive (offline, its packages installed
# earlier) cannot make a fresh root: a skip that says so, not a failure.
if ! python3 - "${MIRROR%/}/dists/bookworm/Release" 2>"$T/reach.err" <<'PY'; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=15).read(1)
PY
    skip "a fresh Debian 12 from $MIRROR" "the archive cannot be reached from here ($(tail -n 1 "$T/reach.err"))"
    done_testing
    exit
fi
t0=$SECONDS
# In a mount namespace of its own: mmdebstrap mounts /dev/shm, /proc and
# /sys into the root, and a mmdebstrap killed half-way must not leave them
# there for the harness's rm -rf. apt retries a failed download.
if unshare --mount --propagation private mmdebstrap --quiet --variant=apt --mode=root \
    --aptopt='Acquire::Retries "3"' bookworm "$R" "$MIRROR" >"$T/mmdebstrap.log" 2>&1; then
    ok "a fresh Debian 12: mmdebstrap --variant=apt bookworm from $MIRROR ($((SECONDS - t0)) s)"
else
    fail "a fresh Debian 12: mmdebstrap --variant=apt bookworm from $MIRROR" "$(tail -n 5 "$T/mmdebstrap.log")"
    done_testing
    exit
fi
mkdir "$R/debs" && cp "$DEB_DIR/$BIN" "$DEB_DIR/$JAVA" "$DEB_DIR/$AGENT" "$R/debs/"
before=$(pkg_count)
in_root apt-get update -q
[[ $status == 0 ]] || fail "apt-get update in the fresh root" "$err"

# ---- the README's step 1 ----
in_root sh -c "cd /debs && apt-get install -y -q --no-install-recommends ./$BIN ./$AGENT"
check "step 1, apt-get install ./$BIN ./$AGENT: apt takes their dependencies from Debian's archive ($(($(pkg_count) - before)) packages installed, theirs included, without recommends), both installed" \
    test "$status|$(pkg_status csdpdk)|$(pkg_status csdpdk-cloudstack-agent)" = "0|install ok installed|install ok installed"
check "... csdpdk's postinst says libvirtd must restart to run the new hook (no main hook there)" \
    test "$(grep -c '^csdpdk: systemctl restart libvirtd' <<<"$out")" = 1
in_root ldd /usr/bin/csdpdk /usr/sbin/csdpdk-libvirt-hook
ldd="$status $(grep -c 'not found' <<<"$out")"
in_root csdpdk version
check "... csdpdk runs on the fresh host's own libraries (ldd: none not found), libvirt $(jqo .result.libvirt) and libxml2 $(jqo .result.libxml2) from the archive" \
    test "$status $(jqo .result.csdpdk) $ldd" = "0 $V 0 0"
in_root dpkg-query -W -f '${Version}' libvirt0
check "... the libvirt csdpdk reports is the one apt installed" test "$(chroot "$R" csdpdk version | jq -r .result.libvirt)" = "${out%%-*}"
check "... the gc timer is enabled there (timers.target wants it); the drop-in for ovs-vswitchd.service is in place" \
    test "$(readlink "$R/etc/systemd/system/timers.target.wants/csdpdk-gc.timer")|$(test -s "$R/lib/systemd/system/ovs-vswitchd.service.d/csdpdk.conf" && echo dropin)" \
    = "/lib/systemd/system/csdpdk-gc.timer|dropin"
check "... the driver's jar is in the agent's plugins directory, the transformer in its hooks directory" \
    test -s "$R/usr/share/cloudstack-agent/plugins/csdpdk-cloudstack-agent.jar" -a -s "$R/etc/cloudstack/agent/hooks/csdpdk-xml-transformer.groovy"
mkdir -p "$R/var/log/libvirt" # libvirt-daemon's; the hook logs there
in_root /etc/libvirt/hooks/qemu.d/csdpdk i-2-10-VM stopped end -
check "... libvirt's hook, qemu.d/csdpdk, runs there: an operation it leaves alone is exit 0, no output, no log line" \
    test "$status|$out|$err|$(ls "$R/var/log/libvirt")" = "0|||"
# libvirtd runs hooks under its AppArmor profile (libvirt-daemon-system's,
# enforced where AppArmor is on: Debian's default; this machine's kernel
# has none), which checks the program a link points to against its exec
# rules. The profile is read from Debian's own package; the rule globs
# matched as AppArmor matches them (** any path, * within one name, {a,b}).
in_root sh -c 'cd /tmp && apt-get download -q libvirt-daemon-system && dpkg-deb --fsys-tarfile libvirt-daemon-system_*.deb | tar -xO ./etc/apparmor.d/usr.sbin.libvirtd'
profile=$out
aa_exec_rule() { # aa_exec_rule PATH: the exec rule of $profile that lets libvirtd run PATH, if any
    perl -ne 'BEGIN { $p = shift } next unless /^\s*(\/\S+)\s+([A-Za-z]*x[A-Za-z]*),\s*$/; my ($g, $m) = ($1, $2);
        (my $re = quotemeta $g) =~ s/\\\{(.*?)\\\}/"(?:" . join("|", split(m{\\,}, $1, -1)) . ")"/ge;
        $re =~ s/\\\*\\\*/.*/g; $re =~ s/\\\*/[^\/]*/g;
        if ($p =~ /^$re$/) { print "$g $m"; exit }' "$1" <<<"$profile"
}
hook_program=$(readlink "$R/etc/libvirt/hooks/qemu.d/csdpdk")
check "... libvirtd's AppArmor profile (Debian's libvirt-daemon-system) lets it run the hook's program $hook_program ($(aa_exec_rule "$hook_program")); it would not run one in /usr/libexec/csdpdk" \
    test "$(grep -c '^profile libvirtd ' <<<"$profile")|$(aa_exec_rule "$hook_program" | grep -c .)|$(aa_exec_rule /usr/libexec/csdpdk/csdpdk-libvirt-hook)|$(aa_exec_rule /etc/libvirt/hooks/qemu.d/x)" \
    = "1|1||/etc/libvirt/hooks/** rmix"
with_proc csdpdk capabilities
check "... capabilities there: not capable (no Open vSwitch, no libvirtd, no agent), exit 1, and the hook seen installed" \
    test "$status $(jqo .result.dpdk) $(jqo .result.libvirt_hook.state) $(jqo '[.result.reasons[].code] | index("ovsdb_unavailable") != null')" = "1 false installed true"

# ---- step 2: agent.properties of a host that already runs DPDK VMs ----
mkdir -p "$R/etc/cloudstack/agent"
printf '%s\n' "# the agent's settings" "network.bridge.type=openvswitch" "openvswitch.dpdk.enabled=true" \
    "openvswitch.dpdk.ovs.path=/var/run/openvswitch/" >"$R/etc/cloudstack/agent/agent.properties"
# The operator pastes the lines that --format text shows under "Add or
# change these lines".
in_root csdpdk --format text agent-config
lines=$(awk '/^Add or change these lines/ { on = 1; next } on && /^warning:/ { exit } on && NF { print }' <<<"$out")
check "step 2, csdpdk agent-config --format text: NOT ready (exit 1), the lines to add: $(sed 's/=.*//' <<<"$lines" | paste -sd, | sed 's/,/, /g')" \
    test "$status|$(head -n 1 <<<"$out" | cut -c1-9)|$lines" = "1|NOT ready|libvirt.vif.driver=org.csdpdk.cloudstack.agent.CsdpdkVifDriver
agent.hooks.libvirt_vm_xml_transformer.script=csdpdk-xml-transformer.groovy"
printf '%s\n' "$lines" >>"$R/etc/cloudstack/agent/agent.properties"
in_root csdpdk --format text agent-config
check "... with them pasted: ready (exit 0)" test "$status $(head -n 1 <<<"$out" | cut -c1-5)" = "0 ready"

# ---- the bridge, a reinstall, a removal, a purge ----
in_root sh -c "cd /debs && apt-get install -y -q --no-install-recommends ./$JAVA"
check "csdpdk-java-bridge installs too, with Debian's gson" \
    test "$status|$(pkg_status csdpdk-java-bridge)|$(pkg_status libgoogle-gson-java)" = "0|install ok installed|install ok installed"
echo "timeout = 5" >>"$R/etc/csdpdk/libvirt-hook.conf"
in_root sh -c "cd /debs && apt-get install -y -q --reinstall ./$BIN ./$AGENT ./$JAVA"
check "a reinstall of the three: the maintainer scripts run again without harm (the timer enabled, the hook's link there, the operator's setting kept)" \
    test "$status|$(readlink "$R/etc/systemd/system/timers.target.wants/csdpdk-gc.timer")|$(readlink "$R/etc/libvirt/hooks/qemu.d/csdpdk")|$(tail -n 1 "$R/etc/csdpdk/libvirt-hook.conf")" \
    = "0|/lib/systemd/system/csdpdk-gc.timer|/usr/sbin/csdpdk-libvirt-hook|timeout = 5"
files=$(chroot "$R" dpkg -L csdpdk csdpdk-cloudstack-agent csdpdk-java-bridge | sort -u |
    while read -r f; do [[ -d $R$f ]] || echo "$f"; done)
in_root apt-get remove -y -q csdpdk-cloudstack-agent csdpdk-java-bridge csdpdk
check "apt-get remove: csdpdk-cloudstack-agent's prerm says agent.properties still names its driver (the agent would not start), and leaves the file as it is" \
    test "$(grep -c 'names org.csdpdk.cloudstack.agent.CsdpdkVifDriver' <<<"$out$err")|$(grep -c '^libvirt.vif.driver=org.csdpdk' "$R/etc/cloudstack/agent/agent.properties")" = "1|1"
check "apt-get remove: the programs and the timer's unit go, the operator's settings stay (conffiles), and so does the timer's enablement until a purge (debhelper's way)" \
    test "$status|$(test -e "$R/usr/bin/csdpdk" && echo bin)|$(test -e "$R/lib/systemd/system/csdpdk-gc.timer" && echo unit)|$(tail -n 1 "$R/etc/csdpdk/libvirt-hook.conf")|$(readlink "$R/etc/systemd/system/timers.target.wants/csdpdk-gc.timer")" \
    = "0|||timeout = 5|/lib/systemd/system/csdpdk-gc.timer"
echo "a run" >>"$R/var/log/libvirt/csdpdk-hook.log" && echo "rotated" >"$R/var/log/libvirt/csdpdk-hook.log.1"
in_root apt-get purge -y -q csdpdk-cloudstack-agent csdpdk
left=$(while read -r f; do [[ -e $R$f || -L $R$f ]] && echo "$f"; done <<<"$files")
check "apt-get purge of the two that keep settings: nothing of the $(wc -l <<<"$files") files of the three packages is left, nor /etc/csdpdk, nor the hook's log and its rotations, nor a link, mask or record of the timer in systemd's directories" \
    test "$status|$left|$(ls -d "$R/etc/csdpdk" "$R"/var/log/libvirt/csdpdk-hook.log* 2>/dev/null)|$(systemd_state)" = "0|||"
check "... and dpkg's audit there is clean" test -z "$(chroot "$R" dpkg --audit)"

done_testing
