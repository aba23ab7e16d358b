package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/** {@code csdpdk version}: the versions of csdpdk and of the libraries it runs with. */
public class VersionResult extends DpdkHelperResult {
    private String csdpdk;
    private String ovs;
    private String libvirt;
    private String jansson;
    private String libxml2;
    private String curl;

    public String getCsdpdk() {
        return csdpdk;
    }

    public String getOvs() {
        return ovs;
    }

    public String getLibvirt() {
        return libvirt;
    }

    public String getJansson() {
        return jansson;
    }

    public String getLibxml2() {
        return libxml2;
    }

    public String getCurl() {
        return curl;
    }
}
