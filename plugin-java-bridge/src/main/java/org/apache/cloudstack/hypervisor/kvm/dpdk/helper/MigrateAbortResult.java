package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/** {@code migrate-abort}: the ports of the operation that were removed (none the second time). */
public class MigrateAbortResult extends DpdkHelperResult {
    private List<String> removed = new ArrayList<>();

    public List<String> getRemoved() {
        return nonNull(removed);
    }
}
