package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.List;

/**
 * csdpdk, or something it needs, does not work on this host: report it, do not retry at once.
 *
 * <p>Raised for csdpdk's exit status 69 (codes {@code ovsdb_unavailable}, {@code libvirt_unavailable}),
 * and by the bridge when the binary is missing ({@link DpdkHelperException#HELPER_NOT_FOUND}), not
 * executable ({@link DpdkHelperException#HELPER_NOT_EXECUTABLE}), cannot be started
 * ({@link DpdkHelperException#HELPER_START_FAILED}), or answers with something other than exactly one
 * envelope consistent with its exit status ({@link DpdkHelperException#HELPER_BAD_OUTPUT}: a crash, a
 * wrong or incompatible binary).
 */
public class DpdkHelperUnavailableException extends DpdkHelperException {
    private static final long serialVersionUID = 1L;

    DpdkHelperUnavailableException(String verb, String code, String helperMessage, String field, int exitStatus,
                                   boolean fromHelper, List<String> warnings, String stderr, Throwable cause) {
        super(verb, code, helperMessage, field, exitStatus, fromHelper, warnings, stderr, cause);
    }
}
