package com.cloud.hypervisor.kvm.resource;

import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;
import com.cloud.network.Networks;
import com.cloud.utils.exception.CloudRuntimeException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import javax.naming.ConfigurationException;

import org.libvirt.LibvirtException;

/**
 * Model of K/OvsVifDriver.java (same DPDK code in 4.18.0.0 to 4.21.0.0). {@code configure} fills the
 * bridge map from {@code ovs-vsctl list-br} (run against the OVSDB the system property
 * {@code cloudstack.model.ovsdb} names); {@code plug} branches as the stock one does for a Guest NIC
 * (DPDK on a VLAN: {@code plugDPDKInterface}; else the guest bridge) and a Control NIC, and sends every
 * other NIC to the private bridge, where the stock one has separate branches (Lswitch/Vswitch, Public on
 * a VLAN, Management, Storage) that no test reaches;
 * {@code plugDPDKInterface}'s stock body (CloudStack's own ovs-vsctl add-port) is not modelled: the
 * driver under test overrides it, and reaching it is an error. The stock {@code unplug}'s
 * {@code ovs-vsctl del-port} is recorded in {@link #STOCK_DEL_PORTS}, not run, and every interface it is
 * given in {@link #STOCK_UNPLUGS}.
 */
public class OvsVifDriver extends VifDriverBase {
    /** The ports the stock unplug would have removed with ovs-vsctl del-port. */
    public static final List<String> STOCK_DEL_PORTS = Collections.synchronizedList(new ArrayList<>());
    /** Every interface the stock unplug was given, as MAC@bridge (a vhost-user one has neither: null@null). */
    public static final List<String> STOCK_UNPLUGS = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void configure(Map<String, Object> params) throws ConfigurationException {
        super.configure(params);
        getPifs();
    }

    public void getPifs() {
        for (String bridge : ModelOvs.listBridges()) {
            if (_libvirtComputingResource.isPublicBridge(bridge)) {
                _pifs.put("public", bridge);
            }
            if (_libvirtComputingResource.isGuestBridge(bridge)) {
                _pifs.put("private", bridge);
            }
            _pifs.put(bridge, bridge);
        }
    }

    protected void plugDPDKInterface(LibvirtVMDef.InterfaceDef intf, String trafficLabel, Map<String, String> extraConfig,
            String vlanId, String guestOsType, NicTO nic, String nicAdapter) {
        throw new CloudRuntimeException("model: the stock DPDK path (ovs-vsctl add-port) was reached");
    }

    @Override
    public LibvirtVMDef.InterfaceDef plug(NicTO nic, String guestOsType, String nicAdapter, Map<String, String> extraConfig)
            throws InternalErrorException, LibvirtException {
        LibvirtVMDef.InterfaceDef intf = new LibvirtVMDef.InterfaceDef();
        if (!_libvirtComputingResource.dpdkSupport || !nic.isDpdkEnabled()) {
            intf.setVirtualPortType("openvswitch");
        }
        String vlanId = null;
        if (nic.getBroadcastType() == Networks.BroadcastDomainType.Vlan) {
            vlanId = Networks.BroadcastDomainType.getValue(nic.getBroadcastUri());
        } else if (nic.getBroadcastType() == Networks.BroadcastDomainType.Pvlan) {
            // NetUtils.getPrimaryPvlanFromUri: pvlan://100-i200 -> "100"
            String value = Networks.BroadcastDomainType.getValue(nic.getBroadcastUri());
            vlanId = value.contains("-") ? value.substring(0, value.indexOf('-')) : value;
        }
        String trafficLabel = nic.getName();
        if (nic.getType() == Networks.TrafficType.Guest) {
            Integer networkRateKBps = nic.getNetworkRateMbps() != null && nic.getNetworkRateMbps() != -1
                    ? nic.getNetworkRateMbps() * 128 : 0;
            if ((nic.getBroadcastType() == Networks.BroadcastDomainType.Vlan
                    || nic.getBroadcastType() == Networks.BroadcastDomainType.Pvlan)
                    && !"untagged".equalsIgnoreCase(vlanId)) {
                if (trafficLabel != null && !trafficLabel.isEmpty()) {
                    if (_libvirtComputingResource.dpdkSupport && nic.isDpdkEnabled()) {
                        plugDPDKInterface(intf, trafficLabel, extraConfig, vlanId, guestOsType, nic, nicAdapter);
                    } else {
                        intf.defBridgeNet(_pifs.get(trafficLabel), null, nic.getMac(),
                                getGuestNicModel(guestOsType, nicAdapter), networkRateKBps);
                        intf.setVlanTag(Integer.parseInt(vlanId));
                    }
                } else {
                    intf.defBridgeNet(_pifs.get("private"), null, nic.getMac(), getGuestNicModel(guestOsType, nicAdapter),
                            networkRateKBps);
                    intf.setVlanTag(Integer.parseInt(vlanId));
                }
            } else {
                intf.defBridgeNet(_bridges.get("guest"), null, nic.getMac(), getGuestNicModel(guestOsType, nicAdapter),
                        networkRateKBps);
            }
        } else if (nic.getType() == Networks.TrafficType.Control) {
            intf.defBridgeNet(_bridges.get("linklocal"), null, nic.getMac(), getGuestNicModel(guestOsType, nicAdapter),
                    0);
        } else {
            intf.defBridgeNet(_pifs.get("private"), null, nic.getMac(), getGuestNicModel(guestOsType, nicAdapter), 0);
        }
        return intf;
    }

    @Override
    public void unplug(LibvirtVMDef.InterfaceDef iface, boolean deleteBr) {
        STOCK_UNPLUGS.add(iface.getMacAddress() + "@" + iface.getBrName());
        String port = iface.getDpdkSourcePort();
        if (_libvirtComputingResource.dpdkSupport && port != null && !port.isBlank()) {
            STOCK_DEL_PORTS.add(port);
        }
    }

    @Override
    public void attach(LibvirtVMDef.InterfaceDef iface) {
        throw new UnsupportedOperationException("model: attach");
    }

    @Override
    public void detach(LibvirtVMDef.InterfaceDef iface) {
        throw new UnsupportedOperationException("model: detach");
    }

    @Override
    public void createControlNetwork(String privBrName) {
    }

    @Override
    public boolean isExistingBridge(String bridgeName) {
        return ModelOvs.listBridges().contains(bridgeName);
    }

    @Override
    public void deleteBr(NicTO nic) {
    }
}
