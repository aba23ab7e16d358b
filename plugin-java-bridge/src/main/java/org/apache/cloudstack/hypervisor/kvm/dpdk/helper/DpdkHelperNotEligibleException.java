package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown only by {@link DpdkHelperClient#prepareForMigration(MigratePrepareRequest)}: csdpdk answered
 * that the destination is not eligible (exit 1, {@code ok} true, {@code eligible} false) and created
 * no port. The code is {@link #NOT_ELIGIBLE}; {@link #getResult()} has every check. The other
 * migration calls return this verdict as a result instead of throwing.
 */
public class DpdkHelperNotEligibleException extends DpdkHelperException {
    private static final long serialVersionUID = 1L;

    /** The code of this exception (the bridge's; csdpdk reports the verdict as a result). */
    public static final String NOT_ELIGIBLE = "not_eligible";

    private final transient MigratePrepareResult result;

    DpdkHelperNotEligibleException(MigratePrepareResult result) {
        super("migrate-prepare", NOT_ELIGIBLE, "the destination is not eligible: " + failed(result.getChecks()),
              null, result.getExitStatus(), true, result.getWarnings(), result.getStderr(), null);
        this.result = result;
    }

    private static String failed(List<MigrationCheck> checks) {
        String s = checks.stream().filter(c -> !c.isOk())
                .map(c -> c.getId() + (c.getDetail() == null ? "" : " (" + c.getDetail() + ")"))
                .collect(Collectors.joining("; "));
        return s.isEmpty() ? "no check named" : s;
    }

    /** The whole verdict, with {@code checks[]}. */
    public MigratePrepareResult getResult() {
        return result;
    }

    /** The checks that failed. */
    public List<MigrationCheck> getFailedChecks() {
        return result.getChecks().stream().filter(c -> !c.isOk()).collect(Collectors.toList());
    }
}
