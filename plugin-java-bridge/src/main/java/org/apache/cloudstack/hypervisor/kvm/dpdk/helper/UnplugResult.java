package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/** {@code csdpdk unplug}: the ports removed, and the named ports that did not exist (a warning each). */
public class UnplugResult extends DpdkHelperResult {
    private List<String> removed = new ArrayList<>();
    private List<String> absent = new ArrayList<>();

    public List<String> getRemoved() {
        return nonNull(removed);
    }

    public List<String> getAbsent() {
        return nonNull(absent);
    }
}
