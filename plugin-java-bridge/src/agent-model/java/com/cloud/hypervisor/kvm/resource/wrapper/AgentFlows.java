package com.cloud.hypervisor.kvm.resource.wrapper;

import com.cloud.agent.api.to.DpdkTO;
import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;
import com.cloud.hypervisor.kvm.resource.LibvirtComputingResource;
import com.cloud.hypervisor.kvm.resource.LibvirtVMDef.InterfaceDef;
import com.cloud.utils.exception.CloudRuntimeException;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.libvirt.LibvirtException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Model of the command wrappers' DPDK steps (W = K/wrapper): LibvirtStartCommandWrapper (createVifs,
 * then handleVmStartFailure's cleanupVMNetworks on LibvirtException or InternalErrorException),
 * LibvirtStopCommandWrapper (the live domain's interfaces parsed before the stop, each unplugged after
 * it), LibvirtPrepareForMigrationCommandWrapper (plug with no OS type and no adapter; the MAC -> DpdkTO
 * map from each VHOSTUSER InterfaceDef; on failure CommandWrapper.removeDpdkPort, which refuses every
 * csdpdk-N name: the behaviour of 4.18.2.1, 4.19.1.0, 4.20.0.0 and later; earlier releases ran
 * ovs-vsctl del-port there), LibvirtMigrateCommandWrapper (replaceDpdkInterfaces; after success the source's
 * interfaces unplugged).
 */
public final class AgentFlows {
    private AgentFlows() {
    }

    /** StartCommand's NICs; the InterfaceDefs to put in the domain. On failure the plugged ones are unplugged. */
    public static List<InterfaceDef> start(LibvirtComputingResource r, List<NicTO> nics, String platformEmulator,
            String nicAdapter, Map<String, String> extraConfig) throws InternalErrorException, LibvirtException {
        List<InterfaceDef> plugged = new ArrayList<>();
        try {
            for (NicTO nic : nics) {
                plugged.add(r.createVif(nic, platformEmulator, nicAdapter, extraConfig));
            }
        } catch (InternalErrorException | LibvirtException e) {
            r.cleanupVMNetworks(plugged);
            throw e;
        }
        return plugged;
    }

    /** StopCommand: the interfaces of the domain's XML taken before it stopped, each unplugged. */
    public static List<InterfaceDef> stop(LibvirtComputingResource r, String liveXmlBeforeStop) {
        return stop(r, liveXmlBeforeStop, null);
    }

    /**
     * StopCommand with the DPDK map a failed migration's cleanup sends to the destination
     * (l.117-121): no domain there ({@code liveXmlBeforeStop} null: getInterfaces finds none), so each
     * mapped port goes to removeDpdkPort, which throws for csdpdk-N; with interfaces, the map is unused.
     */
    public static List<InterfaceDef> stop(LibvirtComputingResource r, String liveXmlBeforeStop,
            Map<String, DpdkTO> dpdkInterfaceMapping) {
        List<InterfaceDef> ifaces = liveXmlBeforeStop == null ? new ArrayList<>() : r.getInterfaces(liveXmlBeforeStop);
        if (ifaces.isEmpty()) {
            if (dpdkInterfaceMapping != null) {
                for (DpdkTO to : dpdkInterfaceMapping.values()) {
                    removeDpdkPort(to.getPort());
                }
            }
            return ifaces;
        }
        r.cleanupVMNetworks(ifaces);
        return ifaces;
    }

    /** PrepareForMigrationCommand on the destination: the MAC -> DpdkTO map the answer carries. */
    public static Map<String, DpdkTO> prepareForMigration(LibvirtComputingResource r, List<NicTO> nics,
            Map<String, String> extraConfig) throws InternalErrorException, LibvirtException {
        Map<String, DpdkTO> mapping = new LinkedHashMap<>();
        try {
            for (NicTO nic : nics) {
                InterfaceDef def = r.createVif(nic, null, "", extraConfig);
                if (def != null && def.getNetType() == InterfaceDef.GuestNetType.VHOSTUSER) {
                    mapping.put(nic.getMac(), new DpdkTO(def.getDpdkOvsPath(), def.getDpdkSourcePort(),
                            def.getInterfaceMode()));
                }
            }
        } catch (InternalErrorException | LibvirtException | CloudRuntimeException e) {
            for (DpdkTO to : mapping.values()) {
                removeDpdkPort(to.getPort());
            }
            throw e;
        }
        return mapping;
    }

    /** core's CommandWrapper.removeDpdkPort (4.18.2.1+, 4.19.1+, 4.20+): numbers only, so every csdpdk-N throws. */
    public static void removeDpdkPort(String port) {
        try {
            Integer.valueOf(port);
        } catch (NumberFormatException e) {
            throw new CloudRuntimeException(String.format("Invalid DPDK port specified: '%s'", port));
        }
        throw new CloudRuntimeException("model: ovs-vsctl del-port " + port + " is not modelled");
    }

    /**
     * replaceDpdkInterfaces on the source: target dev, source path (path + "/" + port) and mode by MAC; as
     * the wrapper calls it only with a mapping (MapUtils.isNotEmpty), none leaves the XML as it is; an
     * interface without a MAC is skipped, and a {@code <target>} without {@code dev} (or a {@code <mac>}
     * without an address, a {@code <source>} without path or mode) fails as the stock code's
     * getNamedItem does (a NullPointerException).
     */
    public static String replaceDpdkInterfaces(String xml, Map<String, DpdkTO> mapping) {
        if (mapping == null || mapping.isEmpty()) {
            return xml;
        }
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            NodeList nics = doc.getElementsByTagName("interface");
            for (int i = 0; i < nics.getLength(); i++) {
                Element nic = (Element) nics.item(i);
                if (!"vhostuser".equals(nic.getAttribute("type"))) {
                    continue;
                }
                // As the stock loop: the last <mac>'s address (a <mac> without one fails), nothing done
                // without a MAC; then every <target>'s dev and <source>'s path and mode, which must be there.
                String mac = null;
                NodeList macs = nic.getElementsByTagName("mac");
                for (int k = 0; k < macs.getLength(); k++) {
                    mac = macs.item(k).getAttributes().getNamedItem("address").getNodeValue();
                }
                if (mac == null || mac.isBlank()) {
                    continue;
                }
                DpdkTO to = mapping.get(mac);
                NodeList targets = nic.getElementsByTagName("target");
                for (int k = 0; k < targets.getLength(); k++) {
                    targets.item(k).getAttributes().getNamedItem("dev").setNodeValue(to.getPort());
                }
                NodeList sources = nic.getElementsByTagName("source");
                for (int k = 0; k < sources.getLength(); k++) {
                    sources.item(k).getAttributes().getNamedItem("path").setNodeValue(to.getPath() + "/" + to.getPort());
                    sources.item(k).getAttributes().getNamedItem("mode").setNodeValue(to.getMode());
                }
            }
            StringWriter w = new StringWriter();
            TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(w));
            return w.toString();
        } catch (Exception e) {
            throw new CloudRuntimeException("model: replaceDpdkInterfaces", e);
        }
    }

    /** After a successful migration, on the source: its interfaces (parsed, as at a stop) unplugged. */
    public static List<InterfaceDef> migrateSourceCleanup(LibvirtComputingResource r, String sourceXml) {
        return stop(r, sourceXml);
    }
}
