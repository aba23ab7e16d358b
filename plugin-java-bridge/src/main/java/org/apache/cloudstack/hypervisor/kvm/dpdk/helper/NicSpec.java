package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/**
 * One DPDK NIC of a request: {@code mac}, {@code bridge} (the OVS bridge, CloudStack's traffic label),
 * {@code vlan} (1..4094, or unset for none), {@code model} ({@code virtio}, the only one vhost-user works
 * with), {@code queues}, {@code uuid} (the NIC's, stored as {@code iface-id}), and for {@code render} the
 * known {@code port} ({@code csdpdk-N}). Unset fields are left out of the JSON.
 */
public class NicSpec {
    private String mac;
    private String bridge;
    private Integer vlan;
    private String model;
    private Integer queues;
    private String uuid;
    private String port;

    public NicSpec() {
    }

    public NicSpec(String mac, String bridge, Integer vlan) {
        this.mac = mac;
        this.bridge = bridge;
        this.vlan = vlan;
    }

    public String getMac() {
        return mac;
    }

    public NicSpec setMac(String mac) {
        this.mac = mac;
        return this;
    }

    public String getBridge() {
        return bridge;
    }

    public NicSpec setBridge(String bridge) {
        this.bridge = bridge;
        return this;
    }

    public Integer getVlan() {
        return vlan;
    }

    public NicSpec setVlan(Integer vlan) {
        this.vlan = vlan;
        return this;
    }

    public String getModel() {
        return model;
    }

    public NicSpec setModel(String model) {
        this.model = model;
        return this;
    }

    public Integer getQueues() {
        return queues;
    }

    public NicSpec setQueues(Integer queues) {
        this.queues = queues;
        return this;
    }

    public String getUuid() {
        return uuid;
    }

    public NicSpec setUuid(String uuid) {
        this.uuid = uuid;
        return this;
    }

    public String getPort() {
        return port;
    }

    /** For {@code render} only: the NIC's existing {@code csdpdk-N} port. */
    public NicSpec setPort(String port) {
        this.port = port;
        return this;
    }
}
