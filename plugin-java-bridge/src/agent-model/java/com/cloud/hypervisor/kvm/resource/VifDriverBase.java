package com.cloud.hypervisor.kvm.resource;

import java.util.Map;

import javax.naming.ConfigurationException;

/** Model of K/VifDriverBase.java: the fields configure fills, and the NIC model rule. */
public abstract class VifDriverBase implements VifDriver {
    protected LibvirtComputingResource _libvirtComputingResource;
    protected Map<String, String> _pifs;
    protected Map<String, String> _bridges;

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, Object> params) throws ConfigurationException {
        _libvirtComputingResource = (LibvirtComputingResource) params.get("libvirt.computing.resource");
        _bridges = (Map<String, String>) params.get("libvirt.host.bridges");
        _pifs = (Map<String, String>) params.get("libvirt.host.pifs");
    }

    /** nicAdapter if it names a model (any case), else VIRTIO for a PV guest, else E1000. */
    protected LibvirtVMDef.InterfaceDef.NicModel getGuestNicModel(String platformEmulator, String nicAdapter) {
        if (nicAdapter != null && !nicAdapter.isEmpty()) {
            for (LibvirtVMDef.InterfaceDef.NicModel model : LibvirtVMDef.InterfaceDef.NicModel.values()) {
                if (model.toString().equalsIgnoreCase(nicAdapter)) {
                    return model;
                }
            }
        }
        if (_libvirtComputingResource.isGuestPVEnabled(platformEmulator)) {
            return LibvirtVMDef.InterfaceDef.NicModel.VIRTIO;
        }
        return LibvirtVMDef.InterfaceDef.NicModel.E1000;
    }

    @Override
    public boolean isExistingBridge(String bridgeName) {
        return false;
    }
}
