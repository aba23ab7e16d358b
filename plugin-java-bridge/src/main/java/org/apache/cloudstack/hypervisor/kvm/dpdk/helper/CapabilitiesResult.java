package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import com.google.gson.JsonElement;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code csdpdk capabilities}: can this host run DPDK VMs, and why not. A host that is not capable is a
 * result (exit 1), not an exception.
 *
 * <p>The agent appends {@link #getCapabilityToken()} to its capability list when it is not empty:
 * {@code "dpdk"} exactly when every check held.
 */
public class CapabilitiesResult extends DpdkHelperResult {
    /** The token the agent appends to its host capabilities. */
    public static final String DPDK_CAPABILITY = "dpdk";

    private Boolean dpdk;
    private String capability;
    private List<Reason> reasons = new ArrayList<>();
    private List<Check> checks = new ArrayList<>();
    private List<Hugepages> hugepages = new ArrayList<>();
    private Integer numa_nodes;

    /**
     * True only if csdpdk said so three ways: exit status 0, {@code dpdk: true} and {@code capability:
     * "dpdk"}. Any disagreement counts as not capable.
     */
    public boolean isDpdkCapable() {
        return getExitStatus() == 0 && Boolean.TRUE.equals(dpdk) && DPDK_CAPABILITY.equals(capability);
    }

    /** {@code "dpdk"} when {@link #isDpdkCapable()}, else {@code ""}. */
    public String getCapabilityToken() {
        return isDpdkCapable() ? DPDK_CAPABILITY : "";
    }

    /** Why the host is not capable (empty when it is). */
    public List<Reason> getReasons() {
        return nonNull(reasons);
    }

    /** The reason codes alone ({@code no_hugepages}, {@code ovsdb_unavailable}, ...). */
    public List<String> getReasonCodes() {
        return getReasons().stream().map(Reason::getCode).collect(Collectors.toList());
    }

    /** Every check, with its status ({@code ok}, {@code failed}, {@code unknown}), detail and fix. */
    public List<Check> getChecks() {
        return nonNull(checks);
    }

    public List<Hugepages> getHugepages() {
        return nonNull(hugepages);
    }

    public Integer getNumaNodes() {
        return numa_nodes;
    }

    /** What agent.properties says ({@code bridge_type}, {@code dpdk_enabled}, {@code socket_dir}, ...). */
    public JsonElement getAgent() {
        return rawMember("agent");
    }

    /** The Open_vSwitch row's facts, or JSON null when OVSDB did not answer. */
    public JsonElement getOvs() {
        return rawMember("ovs");
    }

    public JsonElement getHugetlbfs() {
        return rawMember("hugetlbfs");
    }

    public JsonElement getSocketDir() {
        return rawMember("socket_dir");
    }

    public JsonElement getLibvirt() {
        return rawMember("libvirt");
    }

    /** One reason the host is not capable. */
    public static class Reason {
        private String code;
        private String message;

        public String getCode() {
            return code;
        }

        public String getMessage() {
            return message;
        }

        @Override
        public String toString() {
            return code + ": " + message;
        }
    }

    /** One check of the doctor's report. */
    public static class Check {
        private String id;
        private String title;
        private String status;
        private String detail;
        private String code;
        private String fix;

        public String getId() {
            return id;
        }

        public String getTitle() {
            return title;
        }

        /** {@code ok}, {@code failed} or {@code unknown}. */
        public String getStatus() {
            return status;
        }

        public String getDetail() {
            return detail;
        }

        public String getCode() {
            return code;
        }

        public String getFix() {
            return fix;
        }
    }

    /** Hugepages of one size on one NUMA node. */
    public static class Hugepages {
        private Integer node;
        private Long size_kib;
        private Long total;
        private Long free;

        public Integer getNode() {
            return node;
        }

        public Long getSizeKib() {
            return size_kib;
        }

        public Long getTotal() {
            return total;
        }

        public Long getFree() {
            return free;
        }
    }
}
