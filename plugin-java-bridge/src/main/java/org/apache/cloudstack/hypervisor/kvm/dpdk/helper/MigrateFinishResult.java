package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code migrate-finish}: the ports whose migration tag was cleared; they are now the VM's ordinary ports.
 * {@code verified}: csdpdk checked first that the VM's NIC works on each of them.
 */
public class MigrateFinishResult extends DpdkHelperResult {
    private List<String> ports = new ArrayList<>();
    private boolean verified;

    public List<String> getPorts() {
        return nonNull(ports);
    }

    public boolean isVerified() {
        return verified;
    }
}
