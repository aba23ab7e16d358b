#!/usr/bin/env bash
# The RPM spec for EL 8/9 hosts (packaging/rpm/csdpdk.spec): rpmbuild -bs
# makes the source RPM from this tree and Debian's Open vSwitch source, the
# spec yields csdpdk, csdpdk-java-bridge and csdpdk-cloudstack-agent, and rpmlint finds no error in
# the spec (its warnings, and what it says of the unsigned source RPM, are
# printed). The binary build itself needs an EL machine (BuildRequires such
# as java-17-openjdk-devel and google-gson are EL's): not run here.
. "$(dirname "$0")/lib/harness.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
V=${CSDPDK_VERSION:?}
SPEC=$top/packaging/rpm/csdpdk.spec
mkdir -p "$T/rpm/SOURCES"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
    tar --null -T - --transform "s,^,csdpdk-$V/," --owner=0 --group=0 -czf "$T/rpm/SOURCES/csdpdk-$V.tar.gz")
cp /usr/src/openvswitch/openvswitch.tar.gz "$T/rpm/SOURCES/"

check "the spec's version is the Makefile's ($V)" test "$(rpmspec -q --srpm --qf '%{version}' "$SPEC")" = "$V"
check "the spec makes csdpdk, csdpdk-java-bridge and csdpdk-cloudstack-agent" \
    test "$(rpmspec -q --builtrpms --qf '%{name}\n' "$SPEC" | sort | tr '\n' ' ')" = "csdpdk csdpdk-cloudstack-agent csdpdk-java-bridge "
if rpmbuild -bs --define "_topdir $T/rpm" "$SPEC" >"$T/rpmbuild.log" 2>&1; then
    ok "rpmbuild -bs builds the source RPM"
else
    fail "rpmbuild -bs builds the source RPM" "$(tail -10 "$T/rpmbuild.log")"
fi
SRPM=$T/rpm/SRPMS/csdpdk-$V-1.src.rpm
check "... holding the spec, csdpdk's source and Open vSwitch's" \
    test "$(rpm -qpl "$SRPM" 2>/dev/null | sort | tr '\n' ' ')" = "csdpdk-$V.tar.gz csdpdk.spec openvswitch.tar.gz "
check "... whose build needs the libraries' -devel packages (jansson, libxml-2.0, libcurl, libvirt)" \
    bash -c 'r=$(rpm -qp --requires "$1" 2>/dev/null); for p in "pkgconfig(jansson)" "pkgconfig(libxml-2.0)" "pkgconfig(libcurl)" "pkgconfig(libvirt)"; do grep -qF "$p" <<<"$r" || exit 1; done' _ "$SRPM"

rpmlint "$SPEC" >"$T/rpmlint" 2>&1
rpmlint_status=$?
errors=$(grep -c ': E: ' "$T/rpmlint")
warnings=$(grep -c ': W: ' "$T/rpmlint")
if ((rpmlint_status == 0 && errors == 0)) && grep -q '1 specfiles checked' "$T/rpmlint"; then
    ok "rpmlint: no error in the spec ($warnings warnings, each below)"
else
    fail "rpmlint: no error in the spec" "exit $rpmlint_status" "$(head -20 "$T/rpmlint")"
fi
grep ': W: ' "$T/rpmlint" | sort -u | sed 's/^/# /'
rpmlint "$SRPM" 2>&1 | grep -E ': [EW]: ' | sort -u | sed 's/^/# source RPM: /'
done_testing
