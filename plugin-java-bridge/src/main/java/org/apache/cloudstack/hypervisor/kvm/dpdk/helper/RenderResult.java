package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * The XML of a DPDK VM: one {@code <interface type="vhostuser">} per NIC, the checked numa
 * ({@code <cpu>}) and hugepages ({@code <memoryBacking>}) snippets, and the whole domain with all of it
 * merged in when the request had {@code domain_xml}. The result of {@code render}; {@link PlugResult}
 * adds the ports.
 */
public class RenderResult extends DpdkHelperResult {
    private String mode;
    private List<String> interfaces = new ArrayList<>();
    private String numa;
    private String hugepages;
    private String domain_xml;

    /** DPDK-VHOSTUSER after the merge: {@code client} or {@code server}. */
    public String getMode() {
        return mode;
    }

    /** One {@code <interface>} element per NIC, in the request's order. */
    public List<String> getInterfaces() {
        return nonNull(interfaces);
    }

    public String getNuma() {
        return numa;
    }

    public String getHugepages() {
        return hugepages;
    }

    /** The merged domain, or {@code null} when the request had no {@code domain_xml}. */
    public String getDomainXml() {
        return domain_xml;
    }
}
