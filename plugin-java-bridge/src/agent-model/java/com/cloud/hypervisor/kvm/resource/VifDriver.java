package com.cloud.hypervisor.kvm.resource;

import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;

import java.util.Map;

import javax.naming.ConfigurationException;

import org.libvirt.LibvirtException;

/** Model of K/VifDriver.java (identical in 4.18.0.0 to 4.21.0.0). */
public interface VifDriver {
    void configure(Map<String, Object> params) throws ConfigurationException;

    LibvirtVMDef.InterfaceDef plug(NicTO nic, String guestOsType, String nicAdapter, Map<String, String> extraConfig)
            throws InternalErrorException, LibvirtException;

    void unplug(LibvirtVMDef.InterfaceDef iface, boolean deleteBr);

    void attach(LibvirtVMDef.InterfaceDef iface);

    void detach(LibvirtVMDef.InterfaceDef iface);

    void createControlNetwork(String privBrName);

    boolean isExistingBridge(String bridgeName);

    void deleteBr(NicTO nic);
}
