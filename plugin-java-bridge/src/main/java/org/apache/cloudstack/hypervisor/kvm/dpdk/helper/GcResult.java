package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code csdpdk gc}: csdpdk's ports whose VM libvirt does not know or does not run ({@code orphans}),
 * those removed (with {@code apply}), and those kept (a migration in flight, a NIC's port not bound
 * yet), each with the reason.
 */
public class GcResult extends DpdkHelperResult {
    private List<Orphan> orphans = new ArrayList<>();
    private List<String> removed = new ArrayList<>();
    private List<Kept> kept = new ArrayList<>();

    public List<Orphan> getOrphans() {
        return nonNull(orphans);
    }

    public List<String> getRemoved() {
        return nonNull(removed);
    }

    public List<Kept> getKept() {
        return nonNull(kept);
    }

    /** A port gc leaves alone, and why. */
    public static class Kept {
        private String port;
        private String vm;
        private String reason;

        public String getPort() {
            return port;
        }

        /** The port's VM, or null for a NIC's port not bound to its VM yet. */
        public String getVm() {
            return vm;
        }

        public String getReason() {
            return reason;
        }

        @Override
        public String toString() {
            return port + " (" + reason + ")";
        }
    }

    /** A port whose VM is gone, or that no running domain uses. */
    public static class Orphan {
        private String port;
        private String vm;
        private String nic;
        private String bridge;
        private String domain;
        private String owned_by;

        public String getPort() {
            return port;
        }

        /** The VM, or null for a NIC's port never bound and a port csdpdk does not own. */
        public String getVm() {
            return vm;
        }

        /** The NIC's UUID of a NIC's port never bound, or null. */
        public String getNic() {
            return nic;
        }

        /** {@code vm}, {@code nic} or {@code none} (not csdpdk's: asked for with foreign). */
        public String getOwnedBy() {
            return owned_by;
        }

        public String getBridge() {
            return bridge;
        }

        /** {@code missing} (libvirt does not know the VM), {@code inactive}, or {@code none} (no running domain uses it). */
        public String getDomain() {
            return domain;
        }
    }
}
