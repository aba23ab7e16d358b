package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * The request of {@code plug} and {@code render} (and, with an operation id, of {@code migrate-prepare}):
 * the VM, its DPDK NICs, its details, optionally the whole domain XML to merge the result into,
 * {@code reconnect} (seconds; csdpdk's default 1, 0 for none) and, for {@code plug} and
 * {@code migrate-prepare}, {@code wait} (csdpdk's default true: return once ovs-vswitchd has made the
 * ports, a port it refused being {@code port_refused}; false: return at the OVSDB commit).
 */
public class PlugRequest {
    private VmSpec vm;
    private List<NicSpec> nics = new ArrayList<>();
    private DpdkDetails details;
    private String domain_xml;
    private Integer reconnect;
    private Boolean wait;

    public PlugRequest() {
    }

    public PlugRequest(VmSpec vm, List<NicSpec> nics, DpdkDetails details) {
        this.vm = vm;
        this.nics = new ArrayList<>(nics);
        this.details = details;
    }

    public VmSpec getVm() {
        return vm;
    }

    public PlugRequest setVm(VmSpec vm) {
        this.vm = vm;
        return this;
    }

    public List<NicSpec> getNics() {
        return nics;
    }

    public PlugRequest setNics(List<NicSpec> nics) {
        this.nics = new ArrayList<>(nics);
        return this;
    }

    public PlugRequest addNic(NicSpec nic) {
        nics.add(nic);
        return this;
    }

    public DpdkDetails getDetails() {
        return details;
    }

    public PlugRequest setDetails(DpdkDetails details) {
        this.details = details;
        return this;
    }

    public String getDomainXml() {
        return domain_xml;
    }

    /** A whole {@code <domain>}: the result then has it with the DPDK pieces merged in. */
    public PlugRequest setDomainXml(String domainXml) {
        this.domain_xml = domainXml;
        return this;
    }

    public Integer getReconnect() {
        return reconnect;
    }

    public PlugRequest setReconnect(Integer reconnect) {
        this.reconnect = reconnect;
        return this;
    }

    public Boolean getWait() {
        return wait;
    }

    /** {@code null}: csdpdk's default (wait). Not for {@code render}, which refuses it. */
    public PlugRequest setWait(Boolean wait) {
        this.wait = wait;
        return this;
    }
}
