package com.cloud.hypervisor.kvm.resource;

import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;
import com.cloud.utils.PropertiesUtil;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.naming.ConfigurationException;

import org.libvirt.LibvirtException;

/**
 * Model of K/LibvirtComputingResource.java: what its configure does for DPDK and the VIF driver
 * (l.1015-1020, l.1341-1412, configureVifDrivers l.1712), createVif (l.3856), cleanupVMNetworks
 * (l.4777) and getInterfaces (l.4791, from the domain's XML here: the model has no libvirt-java).
 */
public class LibvirtComputingResource {
    protected boolean dpdkSupport = false;
    protected String dpdkOvsPath;
    private String publicBridgeName;
    private String guestBridgeName;
    private VifDriver defaultVifDriver;
    private final Map<String, String> bridges = new HashMap<>();
    private final Map<String, String> pifs = new HashMap<>();

    /** agent.properties as the agent finds it (its class path holds /etc/cloudstack/agent). */
    public static Properties agentProperties() throws ConfigurationException {
        File file = PropertiesUtil.findConfigFile("agent.properties");
        Properties p = new Properties();
        if (file == null) {
            throw new ConfigurationException("model: no agent.properties on the class path");
        }
        try (InputStream in = new FileInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigurationException("model: " + file + ": " + e.getMessage());
        }
        return p;
    }

    public void configure(Map<String, Object> params) throws ConfigurationException {
        Properties p = agentProperties();
        // The agent: BridgeType.valueOf(upper case); booleans through commons-beanutils' BooleanConverter.
        boolean ovs = "openvswitch".equalsIgnoreCase(p.getProperty("network.bridge.type"));
        String enabled = p.getProperty("openvswitch.dpdk.enabled");
        dpdkSupport = ovs && enabled != null
                && java.util.Arrays.asList("true", "yes", "y", "on", "1").contains(enabled.toLowerCase(java.util.Locale.ROOT));
        if (dpdkSupport) {
            dpdkOvsPath = p.getProperty("openvswitch.dpdk.ovs.path");
            if (dpdkOvsPath != null && !dpdkOvsPath.endsWith("/")) {
                dpdkOvsPath += "/";
            }
        }
        publicBridgeName = p.getProperty("public.network.device");
        guestBridgeName = p.getProperty("guest.network.device");
        params.put("libvirt.host.bridges", bridges);
        params.put("libvirt.host.pifs", pifs);
        params.put("libvirt.computing.resource", this);
        params.put("libvirtVersion", 9000000L);
        String name = p.getProperty("libvirt.vif.driver");
        if (name == null) {
            name = ovs ? OvsVifDriver.class.getName() : "com.cloud.hypervisor.kvm.resource.BridgeVifDriver";
        }
        defaultVifDriver = getVifDriverClass(name, params);
        if (pifs.get("private") == null) {
            throw new ConfigurationException("Failed to get private nic name");
        }
        if (pifs.get("public") == null) {
            throw new ConfigurationException("Failed to get public nic name");
        }
        bridges.put("linklocal", "cloud0");
        bridges.put("public", publicBridgeName);
        bridges.put("private", guestBridgeName);
        bridges.put("guest", guestBridgeName);
    }

    /** The stock loader, verbatim in its effect: Class.forName, newInstance, configure. */
    @SuppressWarnings("deprecation")
    protected VifDriver getVifDriverClass(String vifDriverClassName, Map<String, Object> params)
            throws ConfigurationException {
        VifDriver vifDriver;
        try {
            Class<?> clazz = Class.forName(vifDriverClassName);
            vifDriver = (VifDriver) clazz.newInstance();
            vifDriver.configure(params);
        } catch (ClassNotFoundException e) {
            throw new ConfigurationException("Unable to find class for libvirt.vif.driver " + e);
        } catch (InstantiationException | IllegalAccessException e) {
            throw new ConfigurationException("Unable to instantiate class for libvirt.vif.driver " + e);
        }
        return vifDriver;
    }

    public VifDriver getVifDriver() {
        return defaultVifDriver;
    }

    public boolean isPublicBridge(String bridge) {
        return bridge != null && bridge.equals(publicBridgeName);
    }

    public boolean isGuestBridge(String bridge) {
        return bridge != null && bridge.equals(guestBridgeName);
    }

    /**
     * The stock rule (getGuestDiskModel(name, false) != IDE, 4.21.0.0): no OS type is IDE, so not PV
     * (PrepareForMigration's plug passes none); Ubuntu and the listed families are VIRTIO.
     */
    boolean isGuestPVEnabled(String guestOSName) {
        if (guestOSName == null) {
            return false;
        }
        if (guestOSName.startsWith("Other PV Virtio-SCSI") || guestOSName.contains("Ubuntu")) {
            return true;
        }
        for (String family : new String[] {"Fedora", "CentOS", "Red Hat Enterprise Linux", "Debian GNU/Linux",
                "FreeBSD", "Oracle", "Rocky Linux", "AlmaLinux", "Other PV"}) {
            if (guestOSName.startsWith(family)) {
                return true;
            }
        }
        return false;
    }

    public LibvirtVMDef.InterfaceDef createVif(NicTO nic, String platformEmulator, String nicAdapter,
            Map<String, String> extraConfig) throws InternalErrorException, LibvirtException {
        return getVifDriver().plug(nic, platformEmulator, nicAdapter, extraConfig);
    }

    public void cleanupVMNetworks(List<LibvirtVMDef.InterfaceDef> nics) {
        for (LibvirtVMDef.InterfaceDef nic : nics) {
            getVifDriver().unplug(nic, true);
        }
    }

    /** The live domain's interfaces, as LibvirtDomainXMLParser sees them (vhost-user: port, dir, mode). */
    public List<LibvirtVMDef.InterfaceDef> getInterfaces(String domainXml) {
        return new ArrayList<>(LibvirtDomainXMLParser.interfaces(domainXml));
    }
}
