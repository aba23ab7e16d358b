package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * {@code csdpdk decode}: the merged, decoded and checked details. {@code numa} and {@code hugepages}
 * are normalised XML or {@code null}; {@code interface_extra} maps each interface detail key to its XML;
 * {@code sources} tells for each DPDK key where its value came from ({@code vm}, {@code offering},
 * {@code default}).
 */
public class DecodeResult extends DpdkHelperResult {
    private Boolean dpdk;
    private String mode;
    private String port_type;
    private String guest_mode;
    private String numa;
    private String hugepages;
    private Map<String, String> interface_extra = new LinkedHashMap<>();
    private Map<String, String> sources = new LinkedHashMap<>();
    private List<String> ignored = new ArrayList<>();

    /** True iff, after the merge, both the numa and the hugepages details are present. */
    public boolean isDpdk() {
        return Boolean.TRUE.equals(dpdk);
    }

    /** {@code client} or {@code server}: DPDK-VHOSTUSER, who owns the socket on the guest's side. */
    public String getMode() {
        return mode;
    }

    /** {@code dpdkvhostuser} or {@code dpdkvhostuserclient}: the OVS Interface type. */
    public String getPortType() {
        return port_type;
    }

    /** libvirt's {@code <source mode>}: {@code client} or {@code server}. */
    public String getGuestMode() {
        return guest_mode;
    }

    public String getNuma() {
        return numa;
    }

    public String getHugepages() {
        return hugepages;
    }

    public Map<String, String> getInterfaceExtra() {
        return nonNull(interface_extra);
    }

    public Map<String, String> getSources() {
        return nonNull(sources);
    }

    public List<String> getIgnored() {
        return nonNull(ignored);
    }
}
