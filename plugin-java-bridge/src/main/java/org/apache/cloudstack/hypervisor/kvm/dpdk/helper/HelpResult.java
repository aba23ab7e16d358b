package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code csdpdk --help --format json}: the verb table, which is csdpdk's API. */
public class HelpResult extends DpdkHelperResult {
    private List<VerbInfo> verbs = new ArrayList<>();

    public List<VerbInfo> getVerbs() {
        return nonNull(verbs);
    }

    public List<String> getVerbNames() {
        return getVerbs().stream().map(VerbInfo::getName).collect(Collectors.toList());
    }

    public boolean hasVerb(String name) {
        return getVerbs().stream().anyMatch(v -> name.equals(v.getName()));
    }
}
