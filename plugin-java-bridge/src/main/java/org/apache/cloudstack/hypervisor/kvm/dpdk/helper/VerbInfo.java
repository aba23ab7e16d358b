package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/** One row of {@code csdpdk --help --format json}: {@code result.verbs[]}. */
public class VerbInfo {
    private String name;
    private String summary;
    private Boolean reads_request;
    private Boolean mutates;

    public String getName() {
        return name;
    }

    public String getSummary() {
        return summary;
    }

    public boolean readsRequest() {
        return Boolean.TRUE.equals(reads_request);
    }

    public boolean mutates() {
        return Boolean.TRUE.equals(mutates);
    }

    @Override
    public String toString() {
        return name;
    }
}
