package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.Collections;
import java.util.List;

/**
 * A call to csdpdk that did not produce a usable result.
 *
 * <p>When csdpdk answered with an error envelope, {@link #getCode()}, {@link #getField()} and
 * {@link #getHelperMessage()} are csdpdk's stable error code, the dotted request field at fault (or
 * {@code null}) and its one-line message, and {@link #getExitStatus()} is csdpdk's exit status
 * ({@link #isFromHelper()} is true). When the failure happened around csdpdk (it could not be started,
 * it was killed on timeout, its output was not one envelope) the code is one of the {@code HELPER_*}
 * constants below, which csdpdk never uses, and the exit status is the process's, or
 * {@link #NO_EXIT_STATUS} when there was none.
 *
 * <p>Subclasses say what the caller can do: {@link DpdkHelperRetryableException} (retrying the same
 * call may succeed), {@link DpdkHelperUnavailableException} (csdpdk or what it needs is not working on
 * this host), {@link DpdkHelperNotEligibleException} (a migration verdict was negative). This class
 * itself is a request the caller must fix (exit 64, 65) or a bug (exit 70).
 */
public class DpdkHelperException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit status of a failure where csdpdk did not exit by itself (not started, killed). */
    public static final int NO_EXIT_STATUS = -1;

    /** The binary does not exist. {@link DpdkHelperUnavailableException}. */
    public static final String HELPER_NOT_FOUND = "helper_not_found";
    /** The binary exists but cannot be executed. {@link DpdkHelperUnavailableException}. */
    public static final String HELPER_NOT_EXECUTABLE = "helper_not_executable";
    /** The operating system refused to start it for another reason. {@link DpdkHelperUnavailableException}. */
    public static final String HELPER_START_FAILED = "helper_start_failed";
    /**
     * Its stdout was not exactly one well-formed envelope, or the envelope contradicts the exit
     * status (a crash, a wrong binary, a version that breaks the contract).
     * {@link DpdkHelperUnavailableException}.
     */
    public static final String HELPER_BAD_OUTPUT = "helper_bad_output";
    /**
     * csdpdk did not exit within the bridge's timeout and was killed (with its children).
     * {@link DpdkHelperRetryableException}: see the README for why.
     */
    public static final String HELPER_TIMEOUT = "helper_timeout";
    /** The calling thread was interrupted; csdpdk was killed. The thread's interrupt flag is set again. */
    public static final String HELPER_INTERRUPTED = "helper_interrupted";

    private final String verb;
    private final String code;
    private final String field;
    private final String helperMessage;
    private final int exitStatus;
    private final boolean fromHelper;
    private final List<String> warnings;
    private final String stderr;

    DpdkHelperException(String verb, String code, String helperMessage, String field, int exitStatus,
                         boolean fromHelper, List<String> warnings, String stderr, Throwable cause) {
        super(describe(verb, code, helperMessage, field, exitStatus), cause);
        this.verb = verb;
        this.code = code;
        this.field = field;
        this.helperMessage = helperMessage;
        this.exitStatus = exitStatus;
        this.fromHelper = fromHelper;
        this.warnings = warnings == null ? Collections.emptyList() : Collections.unmodifiableList(warnings);
        this.stderr = stderr == null ? "" : stderr;
    }

    private static String describe(String verb, String code, String message, String field, int exitStatus) {
        StringBuilder sb = new StringBuilder("csdpdk ").append(verb == null ? "?" : verb).append(": ");
        sb.append(code).append(": ").append(message);
        if (field != null) {
            sb.append(" (field ").append(field).append(')');
        }
        if (exitStatus != NO_EXIT_STATUS) {
            sb.append(" [exit ").append(exitStatus).append(']');
        }
        return sb.toString();
    }

    /** The verb that was called ({@code plug}, {@code migrate-prepare}, ...). */
    public String getVerb() {
        return verb;
    }

    /** csdpdk's stable error code ({@code invalid_mode}, {@code port_conflict}, ...) or a {@code HELPER_*} code. */
    public String getCode() {
        return code;
    }

    /** The dotted path of the request value at fault ({@code details.vm.DPDK-VHOSTUSER}), or {@code null}. */
    public String getField() {
        return field;
    }

    /** The message alone, as csdpdk wrote it (or as the bridge wrote it for {@code HELPER_*} codes). */
    public String getHelperMessage() {
        return helperMessage;
    }

    /** csdpdk's exit status, or {@link #NO_EXIT_STATUS} when it did not exit by itself. */
    public int getExitStatus() {
        return exitStatus;
    }

    /** True when this error is csdpdk's own error envelope; false for the {@code HELPER_*} codes. */
    public boolean isFromHelper() {
        return fromHelper;
    }

    /** The envelope's warnings (empty when there was no envelope). */
    public List<String> getWarnings() {
        return warnings;
    }

    /** What csdpdk wrote on stderr (empty unless {@code --verbose}, or when something went wrong). */
    public String getStderr() {
        return stderr;
    }
}
