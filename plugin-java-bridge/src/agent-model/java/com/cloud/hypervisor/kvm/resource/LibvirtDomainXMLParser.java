package com.cloud.hypervisor.kvm.resource;

import com.cloud.utils.exception.CloudRuntimeException;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Model of K/LibvirtDomainXMLParser.java's interfaces: for {@code type='vhostuser'} it sets only the
 * port (the socket path's last component), the directory (without its trailing '/') and the mode
 * (l.250-258): netType stays null and the MAC unset; a bridge interface keeps its bridge and MAC.
 */
public final class LibvirtDomainXMLParser {
    private LibvirtDomainXMLParser() {
    }

    static List<LibvirtVMDef.InterfaceDef> interfaces(String domainXml) {
        List<LibvirtVMDef.InterfaceDef> out = new ArrayList<>();
        try {
            Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(domainXml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
            NodeList nics = root.getElementsByTagName("interface");
            for (int i = 0; i < nics.getLength(); i++) {
                Element nic = (Element) nics.item(i);
                LibvirtVMDef.InterfaceDef def = new LibvirtVMDef.InterfaceDef();
                Element source = (Element) nic.getElementsByTagName("source").item(0);
                if ("vhostuser".equals(nic.getAttribute("type"))) {
                    String path = source.getAttribute("path");
                    int slash = path.lastIndexOf('/');
                    def.setDpdkSourcePort(path.substring(slash + 1));
                    def.setDpdkOvsPath(path.substring(0, slash));
                    def.setInterfaceMode(source.getAttribute("mode"));
                } else if ("bridge".equals(nic.getAttribute("type"))) {
                    Element mac = (Element) nic.getElementsByTagName("mac").item(0);
                    def.defBridgeNet(source.getAttribute("bridge"), null, mac == null ? null : mac.getAttribute("address"),
                            null, 0);
                }
                out.add(def);
            }
        } catch (Exception e) {
            throw new CloudRuntimeException("model: unparsable domain XML", e);
        }
        return out;
    }
}
