package org.csdpdk.cloudstack.agent;

import javax.naming.ConfigurationException;

import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DomainCompleteResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperException;

/**
 * The agent's XML transformer hook (agent.hooks.libvirt_vm_xml_transformer.script, since 4.14): the
 * script csdpdk ships, csdpdk-xml-transformer.groovy, calls {@link #transform(Object, String)} with the
 * agent's logger and the whole domain of a VM that starts, after its NICs were plugged. csdpdk's
 * {@code domain-complete} completes the vhost-user interfaces as csdpdk renders them ({@code <target
 * dev>}, one '/' in the socket path, {@code <reconnect>} where QEMU is the socket's client) and changes
 * nothing else; on any failure the domain is returned as it came, with a log line. The start never
 * fails here.
 */
public final class XmlTransformer {
    private XmlTransformer() {
    }

    public static String transform(Object logger, String xml) {
        AgentLog log = AgentLog.of(logger, XmlTransformer.class.getName());
        if (xml == null) {
            return null;
        }
        try {
            AgentSettings settings = AgentSettings.load(log);
            if (!settings.dpdk) {
                return xml;
            }
            DomainCompleteResult r = settings.client.completeDomain(xml);
            for (DomainCompleteResult.Interface i : r.getInterfaces()) {
                log.info("csdpdk domain-complete: " + i);
            }
            for (String warning : r.getWarnings()) {
                log.warn("csdpdk domain-complete: warning: " + warning);
            }
            return r.isChanged() ? r.getDomainXml() : xml;
        } catch (ConfigurationException | DpdkHelperException | RuntimeException | LinkageError e) {
            // (LinkageError: a bridge of another version loaded first, without what this calls.)
            log.warn("csdpdk domain-complete failed, the domain is left as the agent made it: " + AgentLog.why(e));
            return xml;
        }
    }
}
