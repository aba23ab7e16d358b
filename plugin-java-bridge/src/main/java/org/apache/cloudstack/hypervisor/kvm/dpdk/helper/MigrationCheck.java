package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/** One check of {@code migrate-prepare} or {@code migrate-check}: its id, which side it is about, the verdict, why. */
public class MigrationCheck {
    private String id;
    private String side;
    private Boolean ok;
    private String detail;

    public String getId() {
        return id;
    }

    /** {@code source} or {@code destination}. */
    public String getSide() {
        return side;
    }

    public boolean isOk() {
        return Boolean.TRUE.equals(ok);
    }

    public String getDetail() {
        return detail;
    }

    @Override
    public String toString() {
        return (isOk() ? "ok " : "FAILED ") + side + " " + id + (detail == null ? "" : ": " + detail);
    }
}
