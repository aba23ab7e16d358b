package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A VM's DPDK details as CloudStack holds them: the service offering's and the VM's own, detail key to
 * value, and how the values are encoded. The request of {@code decode} and the {@code details} of
 * {@code plug}, {@code render} and {@code migrate-prepare}.
 *
 * <p>Keys: {@code DPDK-VHOSTUSER}, {@code extraconfig-dpdk-numa}, {@code extraconfig-dpdk-hugepages},
 * {@code extraconfig-dpdk-interface-NAME}; other keys may be passed as they are (csdpdk ignores and lists
 * them). On the same key the VM's value wins. {@code encoding} is {@link #ENCODING_URL} (csdpdk's
 * default: values as given to the CloudStack API) or {@link #ENCODING_NONE} (values as the agent
 * receives them, already decoded).
 */
public class DpdkDetails {
    public static final String ENCODING_URL = "url";
    public static final String ENCODING_NONE = "none";

    public static final String KEY_MODE = "DPDK-VHOSTUSER";
    public static final String KEY_NUMA = "extraconfig-dpdk-numa";
    public static final String KEY_HUGEPAGES = "extraconfig-dpdk-hugepages";
    public static final String KEY_INTERFACE_PREFIX = "extraconfig-dpdk-interface-";

    private Map<String, String> offering;
    private Map<String, String> vm;
    private String encoding;

    public DpdkDetails() {
    }

    public DpdkDetails(Map<String, String> offering, Map<String, String> vm, String encoding) {
        this.offering = offering == null ? null : new LinkedHashMap<>(offering);
        this.vm = vm == null ? null : new LinkedHashMap<>(vm);
        this.encoding = encoding;
    }

    /** Details as the agent receives them (already URL-decoded by the management server). */
    public static DpdkDetails decoded(Map<String, String> offering, Map<String, String> vm) {
        return new DpdkDetails(offering, vm, ENCODING_NONE);
    }

    /** Details URL-encoded as given to the CloudStack API (decoded exactly once by csdpdk). */
    public static DpdkDetails urlEncoded(Map<String, String> offering, Map<String, String> vm) {
        return new DpdkDetails(offering, vm, ENCODING_URL);
    }

    public Map<String, String> getOffering() {
        return offering;
    }

    public DpdkDetails setOffering(Map<String, String> offering) {
        this.offering = offering;
        return this;
    }

    public Map<String, String> getVm() {
        return vm;
    }

    public DpdkDetails setVm(Map<String, String> vm) {
        this.vm = vm;
        return this;
    }

    public String getEncoding() {
        return encoding;
    }

    public DpdkDetails setEncoding(String encoding) {
        this.encoding = encoding;
        return this;
    }
}
