package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code unplug}: a VM's ports (by its UUID), and/or named {@code csdpdk-N} ports. With both, a named
 * port of another VM is {@code port_conflict} and nothing is removed. With the VM's UUID and its
 * NICs' MACs ({@link #forVm(String, List)}), csdpdk finds the ports by MAC, whatever the number of
 * ports on the host, instead of looking at every port for the VM's.
 */
public class UnplugRequest {
    private VmSpec vm;
    private List<String> ports;
    private List<String> macs;

    public UnplugRequest() {
    }

    /** All ports of the VM with this UUID. */
    public static UnplugRequest forVm(String vmUuid) {
        return new UnplugRequest().setVmUuid(vmUuid);
    }

    /** The ports of the VM with this UUID for these MACs (a MAC of another VM's port: port_conflict). */
    public static UnplugRequest forVm(String vmUuid, List<String> macs) {
        return new UnplugRequest().setVmUuid(vmUuid).setMacs(macs);
    }

    /** These {@code csdpdk-N} ports, whoever owns them (CloudStack's own included). */
    public static UnplugRequest forPorts(List<String> ports) {
        return new UnplugRequest().setPorts(ports);
    }

    public String getVmUuid() {
        return vm == null ? null : vm.getUuid();
    }

    public UnplugRequest setVmUuid(String vmUuid) {
        this.vm = vmUuid == null ? null : new VmSpec(vmUuid);
        return this;
    }

    public List<String> getPorts() {
        return ports;
    }

    public UnplugRequest setPorts(List<String> ports) {
        this.ports = ports == null ? null : new ArrayList<>(ports);
        return this;
    }

    public List<String> getMacs() {
        return macs;
    }

    public UnplugRequest setMacs(List<String> macs) {
        this.macs = macs == null ? null : new ArrayList<>(macs);
        return this;
    }
}
