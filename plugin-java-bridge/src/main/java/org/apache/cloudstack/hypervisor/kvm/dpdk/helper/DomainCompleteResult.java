package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code csdpdk domain-complete}: the domain with its vhost-user interfaces completed as csdpdk renders
 * them ({@code <target dev>}, one '/' in the socket path, {@code <reconnect>} by mode), everything else
 * as it was; unchanged (byte for byte) when {@link #isChanged()} is false.
 */
public class DomainCompleteResult extends DpdkHelperResult {
    private Boolean changed;
    private String domain_xml;
    private List<Interface> interfaces = new ArrayList<>();

    public boolean isChanged() {
        return Boolean.TRUE.equals(changed);
    }

    public String getDomainXml() {
        return domain_xml;
    }

    /** Each vhost-user interface: its MAC, port ({@code null}: none of csdpdk's), what changed, or why not. */
    public List<Interface> getInterfaces() {
        return nonNull(interfaces);
    }

    /** One vhost-user interface of the domain. */
    public static class Interface {
        private String mac;
        private String port;
        private List<String> changes = new ArrayList<>();
        private String reason;

        public String getMac() {
            return mac;
        }

        public String getPort() {
            return port;
        }

        /** {@code target}, {@code path}, {@code reconnect}: what csdpdk completed. */
        public List<String> getChanges() {
            return changes == null ? new ArrayList<>() : changes;
        }

        /** Why it was left as it was, or {@code null}. */
        public String getReason() {
            return reason;
        }

        @Override
        public String toString() {
            return mac + (port == null ? "" : " " + port) + (getChanges().isEmpty() ? "" : " " + getChanges())
                    + (reason == null ? "" : ": " + reason);
        }
    }
}
