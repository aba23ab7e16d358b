#!/usr/bin/env bash
# The Debian source package (packaging/debian/), as 'make deb' builds it
# (packaging/debuild: dpkg-buildpackage -us -uc -b with debhelper from a copy
# of this tree's files, reusing this tree's libopenvswitch; a real package
# build makes its own): csdpdk, csdpdk-java-bridge and
# csdpdk-cloudstack-agent, their Depends computed (${shlibs:Depends}), the
# statically linked openvswitch named in Built-Using; lintian finds no error
# and no warning in any of them (its informational tags are printed).
#
#   make deb && DEB_DIR=build/deb CSDPDK_VERSION=0.1.0 bash tests/debian-source.sh
. "$(dirname "$0")/lib/harness.sh"

: "${DEB_DIR:?}"
V=${CSDPDK_VERSION:?}
check "make deb built the three packages with dpkg-buildpackage (their .changes)" \
    test -s "$DEB_DIR/csdpdk_${V}_$(dpkg --print-architecture).changes"
check "... reusing this tree's libopenvswitch (the package's clean keeps build/ovs)" \
    bash -c '! grep -q "building libopenvswitch" "$1"' _ "$DEB_DIR/build.log"
arch=$(dpkg --print-architecture)
BIN=$DEB_DIR/csdpdk_${V}_$arch.deb JAVA=$DEB_DIR/csdpdk-java-bridge_${V}_all.deb AGENT=$DEB_DIR/csdpdk-cloudstack-agent_${V}_all.deb
check "it makes csdpdk, csdpdk-java-bridge and csdpdk-cloudstack-agent" test -s "$BIN" -a -s "$JAVA" -a -s "$AGENT"
depends=$(dpkg-deb --field "$BIN" Depends)
check "csdpdk's Depends are computed from what it links (libc6, libjansson4, libxml2) plus what it loads: $depends" \
    bash -c '[[ $1 == *"libc6 ("* && $1 == *"libjansson4 ("* && $1 == *"libxml2 ("* && $1 == *"libvirt0 (>= 4.1)"* && $1 == *libcurl4* ]]' _ "$depends"
check "Built-Using names the openvswitch it links: $(dpkg-deb --field "$BIN" Built-Using)" \
    test "$(dpkg-deb --field "$BIN" Built-Using)" = "$(dpkg-query -W -f '${source:Package} (= ${source:Version})' openvswitch-source)"
files=$(dpkg-deb --contents "$BIN" | awk '{ print $6 }')
check "csdpdk holds the binary, the manual page, the completion, the drop-in, the gc timer, libvirt's hook and its settings, and the docs" \
    bash -c 'for f in ./usr/bin/csdpdk ./usr/share/man/man8/csdpdk.8.gz ./usr/share/bash-completion/completions/csdpdk \
                     ./lib/systemd/system/ovs-vswitchd.service.d/csdpdk.conf ./usr/share/doc/csdpdk/docs/api.md.gz \
                     ./lib/systemd/system/csdpdk-gc.service ./lib/systemd/system/csdpdk-gc.timer \
                     ./usr/sbin/csdpdk-libvirt-hook ./usr/share/man/man8/csdpdk-libvirt-hook.8.gz ./etc/libvirt/hooks/qemu.d/csdpdk \
                     ./etc/csdpdk/libvirt-hook.conf ./etc/logrotate.d/csdpdk-libvirt-hook ./usr/share/doc/csdpdk/docs/hook.md.gz \
                     ./usr/share/doc/csdpdk/copyright; do grep -qx "$f" <<<"$1" || { echo "missing $f"; exit 1; }; done' _ "$files"
check "csdpdk-java-bridge holds the jar and needs this very csdpdk" \
    bash -c '[[ $(dpkg-deb --contents "$1") == *"usr/share/java/csdpdk-bridge-$2.jar"* && $(dpkg-deb --field "$1" Depends) == *"csdpdk (>= $2)"* ]]' _ "$JAVA" "$V"
dpkg-deb --extract "$BIN" "$T/root"
out=$("$T/root/usr/bin/csdpdk" version --format json 2>&1)
check "the package's csdpdk runs: version $V" test "$(jqo .result.csdpdk)" = "$V"
check "... and has no failpoints" bash -c '! grep -q "ovsdb.before-commit" "$1"' _ "$T/root/usr/bin/csdpdk"

lintian --fail-on error,warning --no-tag-display-limit --display-info "$DEB_DIR/csdpdk_${V}_$arch.changes" >"$T/lintian" 2>&1
lintian_status=$?
errors=$(grep -c '^E: ' "$T/lintian")
warnings=$(grep -c '^W: ' "$T/lintian")
infos=$(grep -c '^I: ' "$T/lintian")
if ((lintian_status == 0 && errors == 0 && warnings == 0)) && command -v lintian >/dev/null; then
    ok "lintian: no error, no warning ($infos informational tags, each below)"
else
    fail "lintian: no error, no warning" "exit $lintian_status" "$(grep -v '^I: ' "$T/lintian" | head -20)"
fi
grep '^[WI]: ' "$T/lintian" | sed 's/^/# /'
done_testing
