package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code migrate-rewrite}: the domain XML to send to the destination, the destination's {@code mapping}
 * (MAC → {@link DpdkTo}), and optionally {@code reconnect} (seconds, for interfaces where QEMU becomes
 * the socket client; csdpdk's default 1, 0 for none).
 */
public class MigrateRewriteRequest {
    private String domain_xml;
    private Map<String, DpdkTo> mapping;
    private Integer reconnect;

    public MigrateRewriteRequest() {
    }

    public MigrateRewriteRequest(String domainXml, Map<String, DpdkTo> mapping) {
        this.domain_xml = domainXml;
        this.mapping = mapping == null ? null : new LinkedHashMap<>(mapping);
    }

    public String getDomainXml() {
        return domain_xml;
    }

    public MigrateRewriteRequest setDomainXml(String domainXml) {
        this.domain_xml = domainXml;
        return this;
    }

    public Map<String, DpdkTo> getMapping() {
        return mapping;
    }

    public MigrateRewriteRequest setMapping(Map<String, DpdkTo> mapping) {
        this.mapping = mapping == null ? null : new LinkedHashMap<>(mapping);
        return this;
    }

    public Integer getReconnect() {
        return reconnect;
    }

    public MigrateRewriteRequest setReconnect(Integer reconnect) {
        this.reconnect = reconnect;
        return this;
    }
}
