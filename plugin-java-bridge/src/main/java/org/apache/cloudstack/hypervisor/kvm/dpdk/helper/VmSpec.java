package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

/**
 * The VM of a request: {@code uuid} (the owner of its ports), and for the XML checks {@code name},
 * {@code vcpus} and {@code memory_kib}. Unset fields are left out of the JSON.
 */
public class VmSpec {
    private String uuid;
    private String name;
    private Integer vcpus;
    private Long memory_kib;

    public VmSpec() {
    }

    public VmSpec(String uuid) {
        this.uuid = uuid;
    }

    public VmSpec(String uuid, String name, Integer vcpus, Long memoryKib) {
        this.uuid = uuid;
        this.name = name;
        this.vcpus = vcpus;
        this.memory_kib = memoryKib;
    }

    public String getUuid() {
        return uuid;
    }

    public VmSpec setUuid(String uuid) {
        this.uuid = uuid;
        return this;
    }

    public String getName() {
        return name;
    }

    public VmSpec setName(String name) {
        this.name = name;
        return this;
    }

    public Integer getVcpus() {
        return vcpus;
    }

    public VmSpec setVcpus(Integer vcpus) {
        this.vcpus = vcpus;
        return this;
    }

    public Long getMemoryKib() {
        return memory_kib;
    }

    public VmSpec setMemoryKib(Long memoryKib) {
        this.memory_kib = memoryKib;
        return this;
    }
}
