package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code csdpdk plug}: the VM's ports and its XML. */
public class PlugResult extends RenderResult {
    private List<PortInfo> ports = new ArrayList<>();

    public List<PortInfo> getPorts() {
        return nonNull(ports);
    }

    /** The {@code csdpdk-N} names, in the request's order. */
    public List<String> getPortNames() {
        return getPorts().stream().map(PortInfo::getPort).collect(Collectors.toList());
    }
}
