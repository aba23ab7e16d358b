# The invariants ("nothing lost"), checked against a private OVSDB by every
# reliability suite (tests/failpoints.sh; the fault and concurrency suites
# can source it too):
#   1. no orphans: csdpdk's ports (Interface external_ids:vm-id) belong to
#      VMs that exist or carry the op id of a migration still in flight;
#   2. no duplicates: Port and Interface names, vhost-server-path sockets and
#      (VM, MAC) pairs are each unique;
#   3. nothing half-done: each csdpdk Interface has its Port, of the same
#      name, on a bridge, and each such Port its Interface.
# invariants_check "VM-UUID..." "OP-ID...": prints one line per violation,
# returns their number (0: all hold). Needs harness.sh's vsctl.
invariants_check() {
    local vms=" $1 " ops=" ${2:-} " n=0 line name vm mac op path
    local rows
    rows=$(vsctl --format=csv --data=bare --no-headings --columns=name,external_ids,options list Interface) ||
        { echo "OVSDB did not answer: nothing checked"; return 1; }
    local -A seen_name=() seen_pair=() seen_path=()
    while IFS= read -r line; do
        [[ -z $line ]] && continue
        name=${line%%,*}
        vm=$(grep -o 'vm-id=[^ ,"]*' <<<"$line" | cut -d= -f2)
        mac=$(grep -o 'attached-mac=[^ ,"]*' <<<"$line" | cut -d= -f2)
        op=$(grep -o 'csdpdk-op-id=[^ ,"]*' <<<"$line" | cut -d= -f2)
        path=$(grep -o 'vhost-server-path=[^ ,"]*' <<<"$line" | cut -d= -f2)
        [[ -n ${seen_name[$name]:-} ]] && { echo "duplicate Interface name $name"; n=$((n + 1)); }
        seen_name[$name]=1
        if [[ -n $path ]]; then
            [[ -n ${seen_path[$path]:-} ]] && { echo "socket $path used twice"; n=$((n + 1)); }
            seen_path[$path]=1
        fi
        [[ -z $vm ]] && continue
        if [[ $vms != *" $vm "* && ( -z $op || $ops != *" $op "* ) ]]; then
            echo "orphan: $name of VM $vm${op:+ (op $op)}"; n=$((n + 1))
        fi
        [[ -n ${seen_pair[$vm/$mac]:-} ]] && { echo "VM $vm has two ports for $mac"; n=$((n + 1)); }
        seen_pair[$vm/$mac]=1
        if [[ $(vsctl --bare --columns=name find Port "name=$name" | grep -c .) != 1 ]]; then
            echo "half-done: Interface $name without its one Port"; n=$((n + 1))
        elif [[ -z $(vsctl port-to-br "$name" 2>/dev/null) ]]; then
            echo "half-done: Port $name on no bridge"; n=$((n + 1))
        fi
    done <<<"$rows"
    local ports
    ports=$(vsctl --bare --columns=name list Port | grep .)
    [[ $(sort <<<"$ports" | uniq -d) ]] && { echo "duplicate Port names: $(sort <<<"$ports" | uniq -d | tr '\n' ' ')"; n=$((n + 1)); }
    while IFS= read -r name; do
        [[ -z $name || -n ${seen_name[$name]:-} ]] && continue
        echo "half-done: Port $name without its Interface"; n=$((n + 1))
    done <<<"$ports"
    return "$n"
}

# invariants_snapshot: csdpdk's view of OVSDB (ports, interfaces, their
# ids and options, the naming hint) and, when INVARIANTS_SOCKET_DIR is set,
# the entries of that socket directory (name, type, inode), in a stable
# order, to compare a state before and after a failed operation.
invariants_snapshot() {
    { [[ -n ${INVARIANTS_SOCKET_DIR:-} ]] && find "$INVARIANTS_SOCKET_DIR" -mindepth 1 -printf 'socket dir: %P %y %i\n'
      vsctl --format=csv --data=bare --no-headings --columns=name,type,external_ids,options list Interface
      vsctl --format=csv --data=bare --no-headings --columns=name,tag,external_ids list Port
      vsctl --format=csv --data=bare --no-headings --columns=name,ports list Bridge | sed 's/,.*//'
      vsctl --bare get Open_vSwitch . external_ids:csdpdk-next-port 2>/dev/null; } | sort
}
