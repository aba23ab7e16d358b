package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/** {@code migrate-finish}: the ports whose migration tag was cleared; they are now the VM's ordinary ports. */
public class MigrateFinishResult extends DpdkHelperResult {
    private List<String> ports = new ArrayList<>();

    public List<String> getPorts() {
        return nonNull(ports);
    }
}
