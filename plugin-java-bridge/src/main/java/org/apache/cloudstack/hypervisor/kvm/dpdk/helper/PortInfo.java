package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/**
 * One port of {@code plug} (or {@code migrate-prepare}): the NIC's MAC, its {@code csdpdk-N} port and
 * bridge, the OVS Interface type, the socket path, libvirt's {@code <source mode>}, the VLAN, and whether
 * this call created it ({@code false}: it existed already, nothing was written).
 */
public class PortInfo {
    private String mac;
    private String port;
    private String bridge;
    private String type;
    private String socket;
    private String guest_mode;
    private Integer vlan;
    private Boolean created;

    public String getMac() {
        return mac;
    }

    public String getPort() {
        return port;
    }

    public String getBridge() {
        return bridge;
    }

    public String getType() {
        return type;
    }

    public String getSocket() {
        return socket;
    }

    public String getGuestMode() {
        return guest_mode;
    }

    public Integer getVlan() {
        return vlan;
    }

    public boolean isCreated() {
        return Boolean.TRUE.equals(created);
    }

    @Override
    public String toString() {
        return port + " (" + mac + ")";
    }
}
