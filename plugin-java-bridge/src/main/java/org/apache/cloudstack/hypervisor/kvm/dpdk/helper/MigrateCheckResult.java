package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code migrate-check}: can this VM migrate, checked on both sides. Not eligible is exit 1, a result. */
public class MigrateCheckResult extends DpdkHelperResult {
    private Boolean eligible;
    private List<MigrationCheck> checks = new ArrayList<>();

    /** True only when csdpdk exited 0 and said {@code eligible: true}. */
    public boolean isEligible() {
        return getExitStatus() == 0 && Boolean.TRUE.equals(eligible);
    }

    public List<MigrationCheck> getChecks() {
        return nonNull(checks);
    }

    public List<MigrationCheck> getFailedChecks() {
        return getChecks().stream().filter(c -> !c.isOk()).collect(Collectors.toList());
    }
}
