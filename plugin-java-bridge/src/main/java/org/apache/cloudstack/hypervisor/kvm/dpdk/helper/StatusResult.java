package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code csdpdk status}: VM → MAC → port → socket → OVS's view of the link. */
public class StatusResult extends DpdkHelperResult {
    private List<PortStatus> ports = new ArrayList<>();

    public List<PortStatus> getPorts() {
        return nonNull(ports);
    }

    public Optional<PortStatus> findByMac(String mac) {
        return getPorts().stream().filter(p -> p.getMac() != null && p.getMac().equalsIgnoreCase(mac)).findFirst();
    }

    public Optional<PortStatus> findByPort(String port) {
        return getPorts().stream().filter(p -> port.equals(p.getPort())).findFirst();
    }

    /**
     * One vhost-user port. {@code connected}, {@code numa}, {@code queues} come from OVS's
     * {@code Interface.status} and are {@code null} when OVS does not say (no ovs-vswitchd, no guest);
     * OVS 3.1 sometimes says disconnected while traffic flows, so treat it as a hint.
     */
    public static class PortStatus {
        private String port;
        private String bridge;
        private String type;
        private String mode;
        private String owner;
        private String mac;
        private String socket;
        private Boolean connected;
        private Integer numa;
        private Integer queues;
        private String error;
        private String link_state;
        private Long ofport;
        private String op_id;

        public String getPort() {
            return port;
        }

        public String getBridge() {
            return bridge;
        }

        public String getType() {
            return type;
        }

        public String getMode() {
            return mode;
        }

        /** The owning VM's UUID ({@code external_ids:vm-id}), or {@code null}. */
        public String getOwner() {
            return owner;
        }

        public String getMac() {
            return mac;
        }

        public String getSocket() {
            return socket;
        }

        public Boolean getConnected() {
            return connected;
        }

        public Integer getNuma() {
            return numa;
        }

        public Integer getQueues() {
            return queues;
        }

        public String getError() {
            return error;
        }

        public String getLinkState() {
            return link_state;
        }

        public Long getOfport() {
            return ofport;
        }

        /** The migration operation id while a migration is in flight, else {@code null}. */
        public String getOpId() {
            return op_id;
        }
    }
}
