// csdpdk's XML transformer for CloudStack's KVM agent (4.14 and later): installed by the package
// csdpdk-cloudstack-agent into /etc/cloudstack/agent/hooks, chosen in agent.properties with
//   agent.hooks.libvirt_vm_xml_transformer.script=csdpdk-xml-transformer.groovy
// The agent runs it on the whole domain of each VM it starts, after the NICs are plugged; csdpdk's
// domain-complete completes the vhost-user interfaces as csdpdk renders them (<target dev>, one '/'
// in the socket path, <reconnect> where QEMU is the socket's client) and changes nothing else. On
// any failure the domain goes on as the agent made it, and the agent's log says why.
class CsdpdkXmlTransformer {
    String transform(Object logger, String xml) {
        try {
            return Class.forName('org.csdpdk.cloudstack.agent.XmlTransformer')
                    .getMethod('transform', Object, String).invoke(null, logger, xml)
        } catch (Throwable t) {
            warn(logger, "csdpdk-xml-transformer.groovy: the domain is left as the agent made it: " + t)
            return xml
        }
    }

    // Through the agent's logger (log4j's warn, java.util.logging's warning), else java.util.logging.
    static void warn(Object logger, String line) {
        for (String method : ['warn', 'warning']) {
            try {
                if (logger != null) {
                    logger."$method"(line)
                    return
                }
            } catch (Throwable ignored) {
                // the next one
            }
        }
        java.util.logging.Logger.getLogger('org.csdpdk.cloudstack.agent.XmlTransformer').warning(line)
    }
}

// The agent's hook runs the script and calls the method on what it evaluates to.
new CsdpdkXmlTransformer()
