package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code csdpdk gc}: csdpdk's ports whose VM libvirt does not know or does not run ({@code orphans}),
 * those removed (with {@code apply}), and those kept because a migration is in flight.
 */
public class GcResult extends DpdkHelperResult {
    private List<Orphan> orphans = new ArrayList<>();
    private List<String> removed = new ArrayList<>();
    private List<String> kept = new ArrayList<>();

    public List<Orphan> getOrphans() {
        return nonNull(orphans);
    }

    public List<String> getRemoved() {
        return nonNull(removed);
    }

    public List<String> getKept() {
        return nonNull(kept);
    }

    /** A port whose VM is gone. */
    public static class Orphan {
        private String port;
        private String vm;
        private String bridge;
        private String domain;

        public String getPort() {
            return port;
        }

        public String getVm() {
            return vm;
        }

        public String getBridge() {
            return bridge;
        }

        /** {@code missing} (libvirt does not know the VM) or {@code inactive}. */
        public String getDomain() {
            return domain;
        }
    }
}
