#!/usr/bin/env bash
# offering build and offering check, for the admin: a matrix of parameters
# goes build -> check (its CloudMonkey line) -> decode (its encoded details),
# and every encoding is compared with Java's own URLEncoder (the JDK is
# installed for the Java bridge): the snippets once, as CloudStack's API
# takes them, and the API query's values twice, as they go on the wire.
. "$(dirname "$0")/../lib/harness.sh"

ORACLE=$(realpath "$(dirname "$0")/../oracle/UrlEncoderOracle.java")
mkdir -p "$T/m"

# The matrix: vCPUs, memory, page size, mode, one or two cells, queues; a
# name with UTF-8 and the characters Java keeps or encodes.
jq -cn '
  [1, 2, 4, 8][] as $v | [1024, 3072, 8192][] as $m | [2048, 1048576][] as $p
  | ["server", "client"][] as $mode | [0, 2][] as $c | [0, 4][] as $q
  | select($m % ($p / 1024) == 0)
  | select($c == 0 or ($v >= 2 and (($m / 2) % ($p / 1024)) == 0))
  | {vcpus: $v, memory_mib: $m, page_size_kib: $p, mode: $mode,
     name: "DPDK \($v)×\($m) MiB — ‘\($mode)’ *-._~!()"}
    + (if $c == 2 then {cells: [{cpus: "0-\($v / 2 - 1)", memory_mib: ($m / 2)},
                                {cpus: "\($v / 2)-\($v - 1)", memory_mib: ($m / 2)}]} else {} end)
    + (if $q > 0 then {queues: $q} else {} end)' > "$T/requests"

n=0 bad=()
while read -r req; do
    n=$((n + 1))
    "$CSDPDK" offering build <<<"$req" > "$T/m/$n.build" || { bad+=("build $req: exit $?"); continue; }
    jq -c '{cloudmonkey: .result.cloudmonkey}' "$T/m/$n.build" | "$CSDPDK" offering check > "$T/m/$n.check" ||
        bad+=("check $req: exit $?")
    jq -c '{offering: .result.details, encoding: "url"}' "$T/m/$n.build" | "$CSDPDK" decode > "$T/m/$n.decode" ||
        bad+=("decode $req: exit $?")
done < "$T/requests"
# Each check usable, each decode DPDK-enabled with exactly the built snippets.
mismatch=$(for i in $(seq "$n"); do
    jq -cs --arg i "$i" --arg q extraconfig-dpdk-interface-queues '
      (.[0].result.decoded) as $want | (.[2].result) as $d
      | ({"DPDK-VHOSTUSER": $d.mode, "extraconfig-dpdk-hugepages": $d.hugepages,
          "extraconfig-dpdk-numa": $d.numa}
         + (if $d.interface_extra[$q] then {($q): $d.interface_extra[$q]} else {} end)) as $got
      | select(.[1].result.usable != true or $d.dpdk != true or $got != $want) | "set \($i)"' \
      "$T/m/$i.build" "$T/m/$i.check" "$T/m/$i.decode"
done)
if ((n == 144 && ${#bad[@]} == 0)) && [[ -z $mismatch ]]; then
    ok "$n parameter sets: build -> check (its CloudMonkey line) -> decode (its details) agree"
else
    fail "$n parameter sets (144 expected): build -> check -> decode agree" "${bad[@]:0:5}" "$mismatch"
fi

# Java's URLEncoder over every snippet and name: byte-identical to csdpdk's
# first layer; over csdpdk's first layer: identical to the API query's.
cat "$T"/m/*.build | jq -r '.result.decoded | to_entries[] | select(.key != "DPDK-VHOSTUSER") | .value' > "$T/plain"
cat "$T"/m/*.build | jq -r '.result.details | to_entries[] | select(.key != "DPDK-VHOSTUSER") | .value' > "$T/encoded"
java "$ORACLE" < "$T/plain" > "$T/java" || fail "Java's URLEncoder runs"
if cmp -s "$T/java" "$T/encoded" && [[ -s $T/java ]]; then
    ok "$(wc -l < "$T/java") snippets: URL-encoded byte for byte as Java's URLEncoder.encode(s, UTF-8)"
else
    fail "snippets URL-encoded as Java's URLEncoder" "$(diff "$T/java" "$T/encoded" | head -6)"
fi
cat "$T"/m/*.build | jq -r '.result.name' > "$T/names"
cat "$T"/m/*.build | jq -r '.result.api_query | split("&")[] | select(startswith("name=")) | .[5:]' > "$T/names-query"
java "$ORACLE" < "$T/names" > "$T/names-java"
if cmp -s "$T/names-java" "$T/names-query" && [[ -s $T/names-java ]]; then
    ok "$(wc -l < "$T/names") names in the API query: as Java's URLEncoder ($(head -1 "$T/names-query"))"
else
    fail "names in the API query encoded as Java's URLEncoder" "$(diff "$T/names-java" "$T/names-query" | head -4)"
fi
cat "$T"/m/*.build | jq -r '.result.api_query | split("&")[] | select(test("^serviceofferingdetails%5B[0-9]+%5D\\.value=")) | sub("^[^=]*="; "")' \
    | grep -vx 'client\|server' > "$T/wire"
java "$ORACLE" < "$T/encoded" > "$T/wire-java"
if cmp -s "$T/wire-java" "$T/wire" && [[ -s $T/wire ]]; then
    ok "$(wc -l < "$T/wire") detail values in the API query: encoded twice, the outer layer as Java's URLEncoder"
else
    fail "detail values in the API query encoded twice" "$(diff "$T/wire-java" "$T/wire" | head -4)"
fi

# A CloudStack documentation example (spaces as %20, not Java's '+'):
# check reads it; with the offering's numbers its one cell fits.
docs='"extraconfig-dpdk-hugepages": "%3CmemoryBacking%3E%20%3Chugepages%2F%3E%20%3C%2FmemoryBacking%3E", "extraconfig-dpdk-numa": "%3Ccpu%20mode%3D%22host-passthrough%22%3E%20%3Cnuma%3E%20%3Ccell%20id%3D%220%22%20cpus%3D%220%22%20memory%3D%229437184%22%20unit%3D%22KiB%22%20memAccess%3D%22shared%22%2F%3E%20%3C%2Fnuma%3E%20%3C%2Fcpu%3E"'
run offering check <<<"{\"details\": {$docs}, \"vcpus\": 1, \"memory_mib\": 9216}"
check "CloudStack's documented offering (1 vCPU, 9216 MiB): usable" test "$status:$(jq -r .result.usable <<<"$out")" = "0:true"
run offering check <<<"{\"details\": {$docs}, \"vcpus\": 1, \"memory_mib\": 8192}"
check "the same with 8192 MiB: not usable, its cell does not add up (invalid_xml, exit 1)" \
    test "$status:$(jq -r '.result.problems[0].code' <<<"$out")" = "1:invalid_xml"
done_testing
