#!/usr/bin/env bash
# The Debian packages of 'make deb' (packaging/debuild: the Debian source
# package, debhelper): their fields, their files, the packaged binary runs,
# and dpkg would install them here. Nothing of this host is installed:
# dpkg --dry-run, and a scratch root.
#
#   DEB_DIR=build/deb CSDPDK_VERSION=0.1.0 bash tests/packaging.sh
. "$(dirname "$0")/lib/harness.sh"

: "${DEB_DIR:?}" "${CSDPDK_VERSION:?}"
V=$CSDPDK_VERSION
BIN=$DEB_DIR/csdpdk_${V}_$(dpkg --print-architecture).deb
JAVA=$DEB_DIR/csdpdk-java-bridge_${V}_all.deb
AGENT=$DEB_DIR/csdpdk-cloudstack-agent_${V}_all.deb

field() { dpkg-deb --field "$1" "$2"; }
files() { dpkg-deb --contents "$1" | awk '{ print $6 ($7 ? " " $7 " " $8 : "") }' | sort; }

check "csdpdk: name, version and architecture" \
    test "$(field "$BIN" Package) $(field "$BIN" Version) $(field "$BIN" Architecture)" \
    = "csdpdk $V $(dpkg --print-architecture)"
check "csdpdk depends on the libraries it links and those it loads (libvirt0 >= 4.1, libcurl4)" \
    bash -c '[[ $1 == *"libjansson4 ("* && $1 == *"libxml2 ("* && $1 == *"libvirt0 (>= 4.1)"* && $1 == *libcurl4* ]]' \
    _ "$(field "$BIN" Depends)"
check "csdpdk holds the binary, its manual page and completion, the drop-in for ovs-vswitchd.service, the gc timer and its service, libvirt's hook with its link, settings and log rotation, and nothing else outside its docs" \
    test "$(files "$BIN" | grep -v '/$' | grep -v '^./usr/share/doc/' | tr '\n' ' ')" \
    = "$(printf '%s\n' ./usr/bin/csdpdk \
         ./lib/systemd/system/ovs-vswitchd.service.d/csdpdk.conf ./usr/share/man/man8/csdpdk.8.gz \
         ./lib/systemd/system/csdpdk-gc.service ./lib/systemd/system/csdpdk-gc.timer \
         ./usr/share/bash-completion/completions/csdpdk ./usr/sbin/csdpdk-libvirt-hook \
         "./usr/share/man/man8/csdpdk-libvirt-hook.8.gz -> csdpdk.8.gz" "./etc/libvirt/hooks/qemu.d/csdpdk -> /usr/sbin/csdpdk-libvirt-hook" \
         ./etc/csdpdk/libvirt-hook.conf ./etc/logrotate.d/csdpdk-libvirt-hook | sort | tr '\n' ' ')"
check "... its docs: README, every file of docs/, the changelog and the copyright" \
    bash -c 'for f in README.md changelog copyright $(cd docs && ls *.md | sed "s|^|docs/|"); do
                 grep -qE "^\./usr/share/doc/csdpdk/$f(\.gz)?$" <<<"$1" || { echo "missing $f"; exit 1; }; done' _ "$(files "$BIN")"
check "... its settings and log rotation are conffiles (an operator's edits survive upgrades)" \
    test "$(dpkg-deb --ctrl-tarfile "$BIN" | tar -xO ./conffiles | tr '\n' ' ')" = \
    "/etc/csdpdk/libvirt-hook.conf /etc/logrotate.d/csdpdk-libvirt-hook "
check "the bridge's Maven pom (for CloudStack's own build) has the Makefile's version ($V), as the packages do" \
    test "$(python3 -c 'import sys, xml.etree.ElementTree as E; print(E.parse(sys.argv[1]).find("{http://maven.apache.org/POM/4.0.0}version").text)' \
            "$(dirname "$0")/../plugin-java-bridge/pom.xml")" = "$V"
check "csdpdk-java-bridge: all architectures, needs gson and this very csdpdk" \
    bash -c '[[ $1 == "all "* && $1 == *libgoogle-gson-java* && $1 == *"csdpdk (>= $2)"* ]]' _ \
    "$(field "$JAVA" Architecture) $(field "$JAVA" Depends)" "$V"
check "csdpdk-java-bridge holds the versioned jar and its link, and nothing else outside its docs" \
    test "$(files "$JAVA" | grep -v '/$' | grep -v '^./usr/share/doc/' | tr '\n' ' ')" \
    = "./usr/share/java/csdpdk-bridge-$V.jar ./usr/share/java/csdpdk-bridge.jar -> csdpdk-bridge-$V.jar "
check "csdpdk-cloudstack-agent: all architectures, needs this csdpdk, enhances cloudstack-agent" \
    bash -c '[[ $1 == "all "* && $1 == *"csdpdk (>= $2)"* && $3 == cloudstack-agent ]]' _ \
    "$(field "$AGENT" Architecture) $(field "$AGENT" Depends)" "$V" "$(field "$AGENT" Enhances)"
check "... holds the driver's jar in the agent's plugins directory, the XML transformer in its hooks directory (a conffile), and nothing else outside its docs" \
    test "$(files "$AGENT" | grep -v '/$' | grep -v '^./usr/share/doc/' | tr '\n' ' ')|$(dpkg-deb --ctrl-tarfile "$AGENT" | tar -xO ./conffiles)" \
    = "./etc/cloudstack/agent/hooks/csdpdk-xml-transformer.groovy ./usr/share/cloudstack-agent/plugins/csdpdk-cloudstack-agent.jar |/etc/cloudstack/agent/hooks/csdpdk-xml-transformer.groovy"
check "... its docs: docs/cloudstack-agent.md" bash -c 'grep -qE "^\./usr/share/doc/csdpdk-cloudstack-agent/cloudstack-agent\.md(\.gz)?$" <<<"$1"' _ "$(files "$AGENT")"
dpkg-deb --extract "$AGENT" "$T/agent"
check "... the driver's jar holds CsdpdkVifDriver, XmlTransformer and the bridge, no class of CloudStack, libvirt-java, log4j or Gson, and no Class-Path" \
    bash -c 'l=$(python3 -m zipfile -l "$1") && grep -q "org/csdpdk/cloudstack/agent/CsdpdkVifDriver.class" <<<"$l" &&
             grep -q "org/csdpdk/cloudstack/agent/XmlTransformer.class" <<<"$l" &&
             grep -q "org/apache/cloudstack/hypervisor/kvm/dpdk/helper/DpdkHelperClient.class" <<<"$l" &&
             ! grep -qE "com/cloud/|org/libvirt/|org/apache/log4j|org/apache/logging|com/google/gson" <<<"$l" &&
             ! unzip -p "$1" META-INF/MANIFEST.MF | grep -qi "^Class-Path"' \
    _ "$T/agent/usr/share/cloudstack-agent/plugins/csdpdk-cloudstack-agent.jar"
check "every file is root's" test -z "$(for d in "$BIN" "$JAVA" "$AGENT"; do dpkg-deb --contents "$d"; done | awk '$2 != "root/root"')"

dpkg-deb --extract "$BIN" "$T/root"
out=$("$T/root/usr/bin/csdpdk" version --format json 2>&1)
check "the packaged binary runs: version says $V" test "$(jqo .result.csdpdk)" = "$V"
check "... and its help lists the verbs" bash -c '"$1" --help | grep -q "migrate-abort"' _ "$T/root/usr/bin/csdpdk"
check "the drop-in runs the packaged csdpdk's sockets-clean before every start of ovs-vswitchd, a failure ignored ('-')" \
    bash -c 'grep -qx "ExecStartPre=-/usr/bin/csdpdk --timeout 5 --format json sockets-clean" "$1" && "$2" sockets-clean --help >/dev/null' \
    _ "$T/root/lib/systemd/system/ovs-vswitchd.service.d/csdpdk.conf" "$T/root/usr/bin/csdpdk"
units=$T/root/lib/systemd/system
check "the gc timer: its first run 15 min after it starts, then hourly; its service a oneshot of the packaged csdpdk's gc --apply where OVSDB's socket is" \
    bash -c 'grep -qx "OnActiveSec=15min" "$1/csdpdk-gc.timer" && grep -qx "OnUnitActiveSec=1h" "$1/csdpdk-gc.timer" &&
             grep -qx "WantedBy=timers.target" "$1/csdpdk-gc.timer" && grep -qx "Type=oneshot" "$1/csdpdk-gc.service" &&
             grep -qx "ConditionPathExists=/var/run/openvswitch/db.sock" "$1/csdpdk-gc.service" &&
             grep -qx "ExecStart=/usr/bin/csdpdk --timeout 30 --format json gc --apply" "$1/csdpdk-gc.service" &&
             "$2" --ovsdb "unix:$3/none.sock" --timeout 30 --format json gc --apply | jq -e ".error.code == \"ovsdb_unavailable\"" >/dev/null' \
    _ "$units" "$T/root/usr/bin/csdpdk" "$T"
check "... systemd-analyze verify finds nothing wrong with either (but that /usr/bin/csdpdk is not installed here)" \
    test "$(systemd-analyze verify --man=no "$units/csdpdk-gc.timer" "$units/csdpdk-gc.service" 2>&1 |
            grep -vx 'csdpdk-gc.service: Command /usr/bin/csdpdk is not executable: No such file or directory')" = ""
check "... the postinst enables and starts the timer, never its service; prerm stops it" \
    bash -c 'c=$(mktemp -d) && dpkg-deb --control "$1" "$c" &&
             grep -q "deb-systemd-helper enable .csdpdk-gc.timer." "$c/postinst" &&
             grep -q "deb-systemd-invoke \$_dh_action .csdpdk-gc.timer. " "$c/postinst" &&
             ! grep -q "csdpdk-gc.service" "$c/postinst" && grep -q "deb-systemd-invoke stop .csdpdk-gc.timer." "$c/prerm"' _ "$BIN"
check "... stripped, and so is the hook" bash -c '! readelf --section-headers "$1" | grep -q "\.symtab" &&
    ! readelf --section-headers "$2" | grep -q "\.symtab"' _ "$T/root/usr/bin/csdpdk" "$T/root/usr/sbin/csdpdk-libvirt-hook"
check "the packaged hook runs: its help names the operations; every setting of its settings file is its default, and reads" \
    bash -c '"$1" --help | grep -q "migrate begin" &&
             [[ $(grep -E "^#(ovsdb|agent-properties|sysfs|proc|log|timeout) = " "$2" | wc -l) == 6 ]] &&
             cp "$2" "$3" && sed -i "s/^#//; /^ /d; /^[A-Z]/d" "$3" &&
             sed -i "s|^log = .*|log =|" "$3" && "$1" --config "$3" vm1 release end - </dev/null' \
    _ "$T/root/usr/sbin/csdpdk-libvirt-hook" "$T/root/etc/csdpdk/libvirt-hook.conf" "$T/uncommented.conf"
# The log rotation, run by the real logrotate on a copy of the packaged
# file that names a log under $T: a forced run moves the log aside
# uncompressed (delaycompress; the hook makes a new one at its next line),
# the next compresses that one, an empty log stays (notifempty), none is
# no error (missingok).
check "the hook's log rotation, run by logrotate: rotated, compressed a round later, empty or missing logs left alone; its file 0644" \
    bash -c 'set -e; d=$2; [[ $(stat -c %a "$1") == 644 ]]
             sed "s|^/var/log/libvirt/csdpdk-hook.log |$d/hook.log |" "$1" >"$d/lr.conf"; grep -q "^$d/hook.log {" "$d/lr.conf"
             lr() { logrotate -f -s "$d/lr.state" "$d/lr.conf"; }
             echo first >"$d/hook.log"; lr; [[ ! -e $d/hook.log && $(cat "$d/hook.log.1") == first ]]
             echo second >"$d/hook.log"; lr; [[ $(cat "$d/hook.log.1") == second && $(zcat "$d/hook.log.2.gz") == first ]]
             : >"$d/hook.log"; lr; [[ -e $d/hook.log && ! -e $d/hook.log.3.gz ]]
             rm "$d/hook.log"; lr' _ "$T/root/etc/logrotate.d/csdpdk-libvirt-hook" "$T"
check "... and without failpoints (only the test build has them)" \
    bash -c '! grep -q "ovsdb.before-commit" "$1"' _ "$T/root/usr/bin/csdpdk"
dpkg-deb --extract "$JAVA" "$T/java"
check "the jar holds DpdkHelperClient" \
    bash -c 'l=$(python3 -m zipfile -l "$1") && grep -q "org/apache/cloudstack/hypervisor/kvm/dpdk/helper/DpdkHelperClient.class" <<<"$l"' \
    _ "$T/java/usr/share/java/csdpdk-bridge-$V.jar"

# Installed by dpkg into a scratch root (its own database; nothing of this
# host's changes), then run from there as an operator would.
sys=$T/sysroot
mkdir -p "$sys/var/lib/dpkg/info" "$sys/var/lib/dpkg/updates" && : >"$sys/var/lib/dpkg/status"
check "dpkg installs the three packages into a scratch root" \
    bash -c 'dpkg --root="$1" --force-depends --force-script-chrootless --no-triggers -i "${@:2}" >/dev/null 2>&1 &&
             for p in csdpdk csdpdk-java-bridge csdpdk-cloudstack-agent; do
                 dpkg --root="$1" -s "$p" | grep -qx "Status: install ok installed" || exit 1; done' _ "$sys" "$BIN" "$JAVA" "$AGENT"
check "... the gc timer enabled there (timers.target wants it), not on this host" \
    bash -c '[[ $(readlink "$1/etc/systemd/system/timers.target.wants/csdpdk-gc.timer") == /lib/systemd/system/csdpdk-gc.timer ]] &&
             [[ ! -e /etc/systemd/system/timers.target.wants/csdpdk-gc.timer ]] &&
             [[ -z $(find /var/lib/systemd/deb-systemd-helper-enabled -name "csdpdk*" 2>/dev/null) ]]' _ "$sys"
check "... the agent's plugins directory holds the driver's jar, its hooks directory the transformer" \
    bash -c 'test -s "$1/usr/share/cloudstack-agent/plugins/csdpdk-cloudstack-agent.jar" &&
             test -s "$1/etc/cloudstack/agent/hooks/csdpdk-xml-transformer.groovy"' _ "$sys"
out=$("$sys/usr/bin/csdpdk" version --format json 2>&1)
check "... the installed csdpdk version says $V" test "$(jqo .result.csdpdk)" = "$V"
out=$("$sys/usr/bin/csdpdk" decode --format json <<<'{"offering": {"extraconfig-dpdk-hugepages": "%3CmemoryBacking%3E%3Chugepages%2F%3E%3C%2FmemoryBacking%3E", "extraconfig-dpdk-numa": "%3Ccpu%3E%3Cnuma%3E%3Ccell+id%3D%220%22+cpus%3D%220%22+memory%3D%221048576%22+unit%3D%22KiB%22+memAccess%3D%22shared%22%2F%3E%3C%2Fnuma%3E%3C%2Fcpu%3E"}}' 2>&1)
check "... the installed csdpdk decodes an offering (dpdk: true)" test "$(jqo .result.dpdk)" = "true"
check "... man -l shows its installed manual page, csdpdk(8), with every verb" \
    bash -c 'page=$(MANWIDTH=200 man -l "$1" 2>&1) && [[ $page == CSDPDK\(8\)* ]] &&
             verbs=$("$2" --help --format json | jq -r ".result.verbs[].name") && (($(wc -l <<<"$verbs") >= 16)) &&
             while read -r v; do grep -qE "^ {7}$v( |\$)" <<<"$page" || exit 1; done <<<"$verbs"' \
    _ "$sys/usr/share/man/man8/csdpdk.8.gz" "$sys/usr/bin/csdpdk"
check "... and its completion completes 'csdpdk offering ' to build and check" \
    bash -c 'source "$1"; COMP_WORDS=(csdpdk offering ""); COMP_CWORD=2; _csdpdk; [[ "${COMPREPLY[*]}" == "build check" ]]' \
    _ "$sys/usr/share/bash-completion/completions/csdpdk"

check "dpkg would install the three here (dependencies met; --dry-run, nothing installed)" \
    bash -c 'dpkg --dry-run --install "$@" >/dev/null' _ "$BIN" "$JAVA" "$AGENT"

done_testing
