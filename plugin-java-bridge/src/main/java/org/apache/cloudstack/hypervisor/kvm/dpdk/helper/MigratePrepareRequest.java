package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.List;

/**
 * {@code migrate-prepare}, on the destination: plug's request plus {@code op_id}, the migration's
 * operation id (1 to 64 of {@code A-Z a-z 0-9 . _ : -}), with which the new ports are tagged until
 * {@code migrate-finish} or {@code migrate-abort}.
 */
public class MigratePrepareRequest extends PlugRequest {
    private String op_id;

    public MigratePrepareRequest() {
    }

    public MigratePrepareRequest(String opId, VmSpec vm, List<NicSpec> nics, DpdkDetails details) {
        super(vm, nics, details);
        this.op_id = opId;
    }

    public String getOpId() {
        return op_id;
    }

    public MigratePrepareRequest setOpId(String opId) {
        this.op_id = opId;
        return this;
    }
}
