#!/usr/bin/env bash
# agent.properties is read exactly as the agent reads it: Java's own
# Properties.load is the oracle (the JDK is installed for the Java bridge).
# tests/oracle/PropertiesOracle.java writes named cases (line ends,
# continuations, separators, escapes, ISO-8859-1 bytes) and a seeded set of
# generated files; csdpdk's reader (tests/properties-dump, the same code as
# agent_config_load) and Java must read the same value from each.
. "$(dirname "$0")/../lib/harness.sh"

DUMP=${PROPERTIES_DUMP:-$(dirname "$CSDPDK")/tests/properties-dump}
ORACLE=$(realpath "$(dirname "$0")/../oracle/PropertiesOracle.java")
KEY=openvswitch.dpdk.ovs.path
GENERATED=${PROPERTIES_GENERATED:-3000}
SEED=${PROPERTIES_SEED:-20261202}

[[ -x $DUMP ]] || { fail "tests/properties-dump is built" "missing: $DUMP"; done_testing; exit; }
mkdir "$T/files"
java "$ORACLE" gen "$T/files" "$GENERATED" "$SEED" || { fail "the oracle writes its files"; done_testing; exit; }
cd "$T/files"
java "$ORACLE" dump "$KEY" named-* gen-* >"$T/java" || fail "Java reads every file"
"$DUMP" "$KEY" named-* gen-* >"$T/csdpdk" || fail "csdpdk reads every file"

# One line per named case, one for the generated set.
while read -r file want; do
    got=$(awk -v f="$file" '$1 == f { print $2 }' "$T/csdpdk")
    if [[ $got == "$want" ]]; then
        ok "${file#named-}: csdpdk reads what Java reads ($want)"
    else
        fail "${file#named-}: csdpdk reads what Java reads" "java: $want" "csdpdk: $got" \
            "file: $(od -c "$file" | head -5)"
    fi
done < <(grep '^named-' "$T/java")

total=$(grep -c '^gen-' "$T/java")
errors=$(grep -c '^gen-.* error$' "$T/java")
mismatches=$(diff <(grep '^gen-' "$T/java") <(grep '^gen-' "$T/csdpdk") | grep -c '^<')
if ((total == GENERATED && mismatches == 0)); then
    ok "$total generated files (seed $SEED): csdpdk reads what Java reads in each ($errors refused by both)"
else
    first=$(diff <(grep '^gen-' "$T/java") <(grep '^gen-' "$T/csdpdk") | grep '^<' | head -3 | awk '{ print $2 }')
    shown=()
    for f in $first; do shown+=("$f: java $(awk -v f="$f" '$1 == f { print $2 }' "$T/java"), csdpdk $(awk -v f="$f" '$1 == f { print $2 }' "$T/csdpdk")" "$(od -c "$f" | head -4)"); done
    fail "$total generated files (seed $SEED): csdpdk reads what Java reads" \
        "$mismatches of $total differ" "${shown[@]}"
fi
# The generated set must exercise what it claims to: refusals, CR-only ends
# and continuations.
cr_only=$(grep -lzP '\r(?!\n)' gen-* | wc -l)
continued=$(grep -lzP '\\\r' gen-* | wc -l)
if ((errors > 0 && cr_only > 0 && continued > 0)); then
    ok "the generated set has $errors files Java refuses, $cr_only with CR-only ends, $continued with CR continuations"
else
    fail "the generated set has refusals, CR-only ends and CR continuations" \
        "refused $errors, CR-only $cr_only, CR continuations $continued"
fi
done_testing
