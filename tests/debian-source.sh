#!/usr/bin/env bash
# The Debian source package (packaging/debian/): dpkg-buildpackage -us -uc -b
# builds csdpdk and csdpdk-java-bridge with debhelper from a copy of this
# tree, their Depends computed (${shlibs:Depends}) and the statically
# linked openvswitch named in Built-Using; lintian finds no error (its
# warnings are printed). To save a minute, the copy reuses this build's
# libopenvswitch (build/ovs); a real package build makes its own.
. "$(dirname "$0")/lib/harness.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
V=${CSDPDK_VERSION:?}
src=$T/src/csdpdk-$V
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$src")
cp -r "$top/packaging/debian" "$src/debian"
mkdir -p "$src/build" && ln -s "$top/build/ovs" "$src/build/ovs"
[[ -e $top/build/ovs/.built ]] || echo "# no built libopenvswitch in $top/build/ovs: the package build makes its own"

if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b builds the source package"
else
    fail "dpkg-buildpackage -us -uc -b builds the source package" "$(tail -25 "$T/build.log")"
    done_testing; exit
fi
arch=$(dpkg --print-architecture)
BIN=$T/src/csdpdk_${V}_$arch.deb JAVA=$T/src/csdpdk-java-bridge_${V}_all.deb
check "it makes csdpdk and csdpdk-java-bridge" test -s "$BIN" -a -s "$JAVA"
check "... reusing this tree's libopenvswitch (the package's clean keeps build/ovs)" \
    bash -c '! grep -q "building libopenvswitch" "$1"' _ "$T/build.log"
depends=$(dpkg-deb --field "$BIN" Depends)
check "csdpdk's Depends are computed from what it links (libc6, libjansson4, libxml2) plus what it loads: $depends" \
    bash -c '[[ $1 == *"libc6 ("* && $1 == *"libjansson4 ("* && $1 == *"libxml2 ("* && $1 == *"libvirt0 (>= 4.1)"* && $1 == *libcurl4* ]]' _ "$depends"
check "Built-Using names the openvswitch it links: $(dpkg-deb --field "$BIN" Built-Using)" \
    test "$(dpkg-deb --field "$BIN" Built-Using)" = "$(dpkg-query -W -f '${source:Package} (= ${source:Version})' openvswitch-source)"
files=$(dpkg-deb --contents "$BIN" | awk '{ print $6 }')
check "csdpdk holds the binary, the manual page, the completion, the drop-in, libvirt's hook and its settings, and the docs" \
    bash -c 'for f in ./usr/bin/csdpdk ./usr/share/man/man8/csdpdk.8.gz ./usr/share/bash-completion/completions/csdpdk \
                     ./lib/systemd/system/ovs-vswitchd.service.d/csdpdk.conf ./usr/share/doc/csdpdk/docs/api.md.gz \
                     ./usr/libexec/csdpdk/csdpdk-libvirt-hook ./etc/libvirt/hooks/qemu.d/csdpdk \
                     ./etc/csdpdk/libvirt-hook.conf ./etc/logrotate.d/csdpdk-libvirt-hook ./usr/share/doc/csdpdk/docs/hook.md.gz \
                     ./usr/share/doc/csdpdk/copyright; do grep -qx "$f" <<<"$1" || { echo "missing $f"; exit 1; }; done' _ "$files"
check "csdpdk-java-bridge holds the jar and needs this very csdpdk" \
    bash -c '[[ $(dpkg-deb --contents "$1") == *"usr/share/java/csdpdk-bridge-$2.jar"* && $(dpkg-deb --field "$1" Depends) == *"csdpdk (>= $2)"* ]]' _ "$JAVA" "$V"
dpkg-deb --extract "$BIN" "$T/root"
out=$("$T/root/usr/bin/csdpdk" version --format json 2>&1)
check "the package's csdpdk runs: version $V" test "$(jqo .result.csdpdk)" = "$V"
check "... and has no failpoints" bash -c '! grep -q "ovsdb.before-commit" "$1"' _ "$T/root/usr/bin/csdpdk"

lintian --fail-on error,warning --no-tag-display-limit --display-info "$T"/src/*.changes >"$T/lintian" 2>&1
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
