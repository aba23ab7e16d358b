#!/usr/bin/env bash
# The manual page and the bash completion are generated from the verb,
# option and error tables (packaging/mkdoc): each verb, option, exit status
# and error code is in the page, docs/errors.md lists the same codes, the
# page renders without a warning, and the completion offers every verb and
# option.
. "$(dirname "$0")/../lib/harness.sh"

DIR=$(dirname "$CSDPDK")
MAN=$DIR/csdpdk.8
COMPLETION=$DIR/csdpdk.bash-completion
ERRORS_MD=$(dirname "$0")/../../docs/errors.md

[[ -s $MAN && -s $COMPLETION ]] || { fail "make generated the manual page and the completion" "missing in $DIR"; done_testing; exit; }
page=$(MANWIDTH=200 man -l "$MAN" 2>"$T/man-err")
check "man -l renders the page, and groff finds nothing to warn about" \
    bash -c '[[ -n $1 && ! -s $2 ]] && groff -man -ww -z "$3" 2>&1 | { ! grep .; }' _ "$page" "$T/man-err" "$MAN"

verbs=$("$CSDPDK" --help --format json | jq -r '.result.verbs[].name')
(($(grep -c . <<<"$verbs") >= 16)) || fail "csdpdk --help --format json lists the verbs" "$verbs"
missing=$(while read -r v; do grep -qE "^ {7}$v( |$)" <<<"$page" || echo "$v"; done <<<"$verbs")
check "every verb of the table has its entry ($(wc -l <<<"$verbs") verbs)" test -z "$missing"

options=$("$CSDPDK" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p')
(($(grep -c . <<<"$options") >= 14)) || fail "csdpdk --help lists the options" "$options"
missing=$(while read -r o; do grep -qE "^ {7}$o( |$)" <<<"$page" || echo "$o"; done <<<"$options")
check "every option of --help has its entry ($(wc -l <<<"$options") options)" test -z "$missing"

codes=$(sed -n 's/^| `\([a-z_]*\)` | \([0-9]*\) |.*/\1 \2/p' "$ERRORS_MD" | sort)
(($(grep -c . <<<"$codes") >= 24)) || fail "docs/errors.md lists the codes" "$codes"
man_codes=$(sed -n 's/^ \{7\}\([a-z_]*\) (exit \([0-9]*\))$/\1 \2/p' <<<"$page" | sort)
check "the page's error codes and exit statuses are docs/errors.md's ($(wc -l <<<"$codes") codes)" \
    test "$codes" = "$man_codes"
statuses=$(sed -n 's/^| \([0-9]*\) | .*/\1/p' "$ERRORS_MD" | tr '\n' ' ')
man_statuses=$(sed -n '/^EXIT STATUS/,/^ERROR CODES/s/^ \{7\}\([0-9]*\) .*/\1/p' <<<"$page" | tr '\n' ' ')
check "the page's exit statuses are docs/errors.md's ($statuses)" test "$statuses" = "$man_statuses"

complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _csdpdk; ((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$COMPLETION" "$@"
}
offered=$( { complete_words csdpdk ""; for w in $(complete_words csdpdk ""); do complete_words csdpdk "$w" "" | sed "s/^/$w /"; done; } | sort)
wanted=$(sort <<<"$verbs")
# A verb of two words is offered as its first word, then its second.
firsts=$(awk '{ print $1 }' <<<"$wanted" | sort -u)
seconds=$(awk 'NF == 2' <<<"$wanted")
check "the completion offers every verb, the two-word ones word by word" \
    test "$offered" = "$(sort <<<"$firsts"$'\n'"$seconds")"
check "... every option after '--'" test "$(complete_words csdpdk -- | sort)" = "$(sort <<<"$options")"
check "... json, text and prometheus after --format" test "$(complete_words csdpdk --format "" | tr '\n' ' ')" = "json text prometheus "
check "... and a verb after an option's value (--timeout 5 plu)" test "$(complete_words csdpdk --timeout 5 plu)" = "plug"
done_testing
