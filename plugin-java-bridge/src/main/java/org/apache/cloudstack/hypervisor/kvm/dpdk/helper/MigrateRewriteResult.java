package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/** {@code migrate-rewrite}: the domain XML pointed at the destination's ports. */
public class MigrateRewriteResult extends DpdkHelperResult {
    private String domain_xml;

    public String getDomainXml() {
        return domain_xml;
    }
}
