package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code migrate-prepare}: the destination's verdict with every check, and when eligible the ports
 * created for the operation and the {@code mapping} (MAC → {@link DpdkTo}) that the source's
 * {@code migrate-rewrite} needs. Not eligible is exit 1 with no port created.
 */
public class MigratePrepareResult extends PlugResult {
    private Boolean eligible;
    private String op_id;
    private List<MigrationCheck> checks = new ArrayList<>();
    private Map<String, DpdkTo> mapping = new LinkedHashMap<>();

    /** True only when csdpdk exited 0 and said {@code eligible: true}. */
    public boolean isEligible() {
        return getExitStatus() == 0 && Boolean.TRUE.equals(eligible);
    }

    /** The operation id the ports are tagged with (the request's). */
    public String getOpId() {
        return op_id;
    }

    public List<MigrationCheck> getChecks() {
        return nonNull(checks);
    }

    /** MAC → where that NIC's socket is on the destination (empty when not eligible). */
    public Map<String, DpdkTo> getMapping() {
        return nonNull(mapping);
    }
}
