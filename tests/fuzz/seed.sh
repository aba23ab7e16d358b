#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/TARGET/seed-*)
# from the golden cases and the bad-input corpora. Run once when they change;
# the seeds are committed, as is every finding (finding-*).
#
#   bash tests/fuzz/seed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
REPLAY_OVSDB=$(realpath "${REPLAY_OVSDB:-build/tests/fuzz/replay-ovsdb}")
[[ -x $REPLAY_OVSDB ]] || { echo "seed.sh: $REPLAY_OVSDB is missing: make test-programs first" >&2; exit 1; }
rm -f "$C"/*/seed-*
mkdir -p "$C"/{request,url,snippet,domxml,rewrite,properties,sysfs,ovsdb}

# request: a selector byte (0 decode, 1 render, 2 migrate-rewrite, 3 offering
# build, 4 offering check), then the request.
put_request() { { printf "\\x$(printf %02x "$1")"; cat "$2"; } > "$C/request/seed-$3"; }
for f in tests/golden/decode/*.in; do put_request 0 "$f" "decode-$(basename "$f" .in)"; done
for f in tests/golden/render/*.in; do put_request 1 "$f" "render-$(basename "$f" .in)"; done
for f in tests/golden/migrate-rewrite/*.in; do put_request 2 "$f" "rewrite-$(basename "$f" .in)"; done
for f in tests/golden/offering-build/*.in; do put_request 3 "$f" "build-$(basename "$f" .in)"; done
for f in tests/golden/offering-check/*.in; do put_request 4 "$f" "check-$(basename "$f" .in)"; done
for f in tests/corpus/decode/*/*.json; do put_request 0 "$f" "corpus-$(basename "$(dirname "$f")")-$(basename "$f" .json)"; done

# url: every value of a decode request's details, as given.
n=0
for f in tests/golden/decode/*.in tests/corpus/decode/invalid_encoding/*.json; do
    jq -r '[.offering, .vm] | map(select(type == "object") | to_entries[] | .value | select(type == "string")) | .[]' "$f" 2>/dev/null |
        while IFS= read -r v; do n=$((n + 1)); printf '%s' "$v" > "$C/url/seed-$(basename "$f" .in)-$n"; done || true
done

# snippet: a grammar byte (0 numa, 1 hugepages, 2 interface), then the snippet.
i=0
for f in tests/golden/decode/*.in tests/golden/render/*.in tests/corpus/decode/*/*.json; do
    jq -r '[.offering, .vm, .details.offering, .details.vm] | map(select(type == "object") | to_entries[]) | .[] | "\(.key)\t\(.value)"' "$f" 2>/dev/null |
    while IFS=$'\t' read -r k v; do
        case $k in
        extraconfig-dpdk-numa) g=0 ;; extraconfig-dpdk-hugepages) g=1 ;; extraconfig-dpdk-interface-*) g=2 ;; *) continue ;;
        esac
        i=$((i + 1))
        { printf "\\x0$g"; printf '%s' "$v" | python3 -c 'import sys, urllib.parse; sys.stdout.write(urllib.parse.unquote_plus(sys.stdin.read()))' 2>/dev/null || printf '%s' "$v"; } \
            > "$C/snippet/seed-$(basename "$f" | tr . -)-$i"
    done || true
done

# domxml and rewrite: the domain XML of the golden cases.
for f in tests/golden/render/*.in; do
    jq -e -j '.domain_xml // empty' "$f" > "$C/domxml/seed-$(basename "$f" .in)" 2>/dev/null || rm -f "$C/domxml/seed-$(basename "$f" .in)"
done
for f in tests/golden/migrate-rewrite/*.in; do
    jq -e -j '.domain_xml // empty' "$f" > "$C/rewrite/seed-$(basename "$f" .in)" 2>/dev/null || rm -f "$C/rewrite/seed-$(basename "$f" .in)"
    cp "$C/rewrite/seed-$(basename "$f" .in)" "$C/domxml/seed-rewrite-$(basename "$f" .in)" 2>/dev/null || true
done

# properties: the Java oracle's named cases and the agent files of the tests.
tmp=$(mktemp -d)
java tests/oracle/PropertiesOracle.java gen "$tmp" 0 1
for f in "$tmp"/named-*; do cp "$f" "$C/properties/seed-$(basename "$f")"; done
rm -rf "$tmp"
for f in tests/data/agent/*; do [[ -f $f ]] && cp "$f" "$C/properties/seed-data-$(basename "$f")"; done

# sysfs: mounts, node name, pool name, nr, free (NUL-separated).
printf 'hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n\0000\0002048kB\000512\n\000500\n' > "$C/sysfs/seed-2m"
printf 'none /mnt/huge hugetlbfs rw,pagesize=1G 0 0\nproc /proc proc rw 0 0\n\0001\0001048576kB\0004\n\0000\n' > "$C/sysfs/seed-1g"
printf '\0000\000bogus\000x\000-1\n' > "$C/sysfs/seed-bogus"
# ovsdb: each client operation's replies, recorded from a private
# ovsdb-server through the target's own fake server (fuzz_ovsdb.c): create
# first (two ports), delete last; then a few made by hand.
(
    source tests/lib/harness.sh
    ovsdb_start "$T/ovs" >/dev/null
    vsctl add-br br0 -- set Bridge br0 datapath_type=netdev \
        -- add-br br1 -- set Bridge br1 datapath_type=system \
        -- set Open_vSwitch . cur_cfg=1000 dpdk_initialized=true 'dpdk_version="DPDK 22.11.5"' \
        ovs_version=3.1.0 'iface_types=[dpdk,dpdkvhostuser,dpdkvhostuserclient,internal]' \
        'datapath_types=[netdev,system]' other_config:dpdk-init=true \
        other_config:vhost-sock-dir=/var/run/openvswitch other_config:pmd-cpu-mask=0x3 \
        other_config:dpdk-socket-mem=1024,1024 \
        -- add-port br0 vnet7 -- set Interface vnet7 type=dpdkvhostuser
    record() { # SELECTOR NAME [SETUP...]
        mkdir -p "$T/in" && rm -f "$T/in/"* && printf "\\x0$1" > "$T/in/op"
        CSDPDK_FUZZ_OVSDB_RECORD=$OVSDB_DIR/db.sock CSDPDK_FUZZ_OVSDB_RECORD_OUT=$PWD/$C/ovsdb/seed-$2 \
            "$REPLAY_OVSDB" "$T/in" >/dev/null
    }
    record 5 predict-empty
    record 4 create
    vsctl set Interface csdpdk-1 'status={status=connected,mode=client,socket=/var/run/openvswitch/csdpdk-1,numa_id=0,num_of_vrings=4,features="0x000000017060a782"}' \
        link_state=up ofport=3 -- set Interface csdpdk-2 error='"could not open network device csdpdk-2 (No such device)"' ofport=-1
    record 0 switch
    record 1 select-all
    record 2 select-few
    record 3 bridges
    record 5 predict
    record 7 wait-applied
    vsctl set Open_vSwitch . cur_cfg=0
    record 7 wait-timeout
    record 4 create-again
    record 6 delete
    vsctl add-port br0 csdpdk-3
    record 4 create-clash
)
rs=$(printf '\x1e')
{ printf '\x00!{"id":"echo","method":"echo","params":[]}%s' "$rs"; tail -c +3 "$C/ovsdb/seed-switch"; } > "$C/ovsdb/seed-echo-first"
printf '\x03?{"error":"syntax error","details":"fuzz"}' > "$C/ovsdb/seed-error-reply"
printf '\x01!{"id":12345,"result":[],"error":null}%s[{"rows":[]}]' "$rs" > "$C/ovsdb/seed-wrong-id"
printf '\x04[{"rows":[]},{"rows":[]}]%s[{},{"error":"constraint violation","details":"Transaction causes multiple rows in \\"Interface\\" table to have identical values (\\"csdpdk-1\\") for index on column \\"name\\"."}]' "$rs" > "$C/ovsdb/seed-clash-made"

for d in "$C"/*; do echo "$(basename "$d"): $(ls "$d" | wc -l) seeds"; done
