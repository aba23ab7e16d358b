package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.List;

/**
 * A temporary failure: retrying the same call may succeed, and is safe (every mutating verb of
 * csdpdk is idempotent and each OVSDB change is one all-or-nothing transaction).
 *
 * <p>Raised for csdpdk's exit status 75 (codes {@code timeout}, {@code port_conflict}) and for
 * {@link DpdkHelperException#HELPER_TIMEOUT}: the bridge's own timeout expired and csdpdk was killed.
 * Retry a bounded number of times: a helper that hangs every time will not get better.
 */
public class DpdkHelperRetryableException extends DpdkHelperException {
    private static final long serialVersionUID = 1L;

    DpdkHelperRetryableException(String verb, String code, String helperMessage, String field, int exitStatus,
                                 boolean fromHelper, List<String> warnings, String stderr, Throwable cause) {
        super(verb, code, helperMessage, field, exitStatus, fromHelper, warnings, stderr, cause);
    }

    /** True when the bridge killed csdpdk on its own timeout (rather than csdpdk reporting {@code timeout}). */
    public boolean isKilledOnTimeout() {
        return HELPER_TIMEOUT.equals(getCode());
    }
}
