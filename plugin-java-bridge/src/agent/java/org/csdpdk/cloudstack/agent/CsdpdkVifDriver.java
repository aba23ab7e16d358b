package org.csdpdk.cloudstack.agent;

import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;
import com.cloud.hypervisor.kvm.resource.LibvirtVMDef.InterfaceDef;
import com.cloud.hypervisor.kvm.resource.OvsVifDriver;
import com.cloud.hypervisor.kvm.resource.VifDriverBase;
import com.cloud.utils.PropertiesUtil;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import javax.naming.ConfigurationException;

import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.CapabilitiesResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DecodeResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkDetails;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperClient;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperException;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperOptions;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.GcResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.NicSpec;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.PlugRequest;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.PlugResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.PortInfo;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.UnplugResult;
import org.libvirt.LibvirtException;

/**
 * csdpdk's VIF driver for a stock CloudStack KVM agent (4.18 to 4.21): {@code
 * libvirt.vif.driver=org.csdpdk.cloudstack.agent.CsdpdkVifDriver} in agent.properties, this jar and the
 * bridge's in {@code /usr/share/cloudstack-agent/plugins/}. It is {@link OvsVifDriver} except for
 * DPDK NICs: their port is made by {@code csdpdk plug} (by NIC: the libvirt hook binds it to its VM
 * when the domain starts) and removed by {@code csdpdk unplug}; a refusal is an
 * {@link InternalErrorException} carrying csdpdk's code, which sends the agent's start-failure path to
 * unplug what was plugged. See docs/cloudstack-agent.md.
 *
 * <p>Only members present with the same signature in CloudStack 4.18.0.0, 4.19.0.0, 4.20.0.0 and
 * 4.21.0.0 are used (AgentApiTest checks the class files), and no logging API is linked
 * ({@link AgentLog}).
 */
public class CsdpdkVifDriver extends OvsVifDriver {
    /** The FQCN for agent.properties' {@code libvirt.vif.driver}. */
    public static final String NAME = "org.csdpdk.cloudstack.agent.CsdpdkVifDriver";
    /** agent.properties: the csdpdk binary (default: csdpdk on PATH, else /usr/bin/csdpdk). */
    public static final String KEY_PATH = "csdpdk.path";
    /** agent.properties: csdpdk's --ovsdb (default csdpdk's own, unix:/var/run/openvswitch/db.sock). */
    public static final String KEY_OVSDB = "csdpdk.ovsdb";
    /** agent.properties: csdpdk's --libvirt (default csdpdk's own, qemu:///system). */
    public static final String KEY_LIBVIRT = "csdpdk.libvirt";
    /** agent.properties: csdpdk's --qemu-conf (default csdpdk's own, /etc/libvirt/qemu.conf). */
    public static final String KEY_QEMU_CONF = "csdpdk.qemu.conf";
    /** agent.properties: true makes the agent refuse to start when DPDK is on but csdpdk says not capable. */
    public static final String KEY_CAPABLE_REQUIRED = "csdpdk.capable.required";
    /** agent.properties: the bound on one csdpdk call, seconds (default 30). */
    public static final String KEY_TIMEOUT = "csdpdk.timeout";
    /** Where a Debian or EL agent keeps agent.properties, when the class path does not say. */
    public static final String DEFAULT_AGENT_PROPERTIES = "/etc/cloudstack/agent/agent.properties";

    static final String DETAIL_MODE = DpdkDetails.KEY_MODE;
    static final String DETAIL_INTERFACE_PREFIX = DpdkDetails.KEY_INTERFACE_PREFIX;
    private static final int MAX_TIMEOUT = 3600;

    private final AgentLog log = AgentLog.find(CsdpdkVifDriver.class.getName(), VifDriverBase.class);
    private volatile DpdkHelperClient csdpdk;

    /** The client configure made (null before). */
    DpdkHelperClient client() {
        return csdpdk;
    }

    /** The logging API in use: log4j2, log4j1 or jul. */
    String loggingApi() {
        return log.api();
    }

    @Override
    public void configure(Map<String, Object> params) throws ConfigurationException {
        super.configure(params);
        File file = PropertiesUtil.findConfigFile("agent.properties");
        if (file == null) {
            file = new File(DEFAULT_AGENT_PROPERTIES);
        }
        Properties props = load(file);
        boolean required = parseBoolean(props, KEY_CAPABLE_REQUIRED, false);
        int timeout = parseTimeout(props);
        boolean dpdk = "openvswitch".equalsIgnoreCase(trim(props.getProperty("network.bridge.type")))
                && "true".equalsIgnoreCase(trim(props.getProperty("openvswitch.dpdk.enabled")));
        DpdkHelperOptions.Builder options = DpdkHelperOptions.builder().agentProperties(file.getAbsolutePath())
                .timeout(Duration.ofSeconds(timeout));
        if (props.getProperty(KEY_OVSDB) != null) {
            options.ovsdb(trim(props.getProperty(KEY_OVSDB)));
        }
        if (props.getProperty(KEY_LIBVIRT) != null) {
            options.libvirt(trim(props.getProperty(KEY_LIBVIRT)));
        }
        if (props.getProperty(KEY_QEMU_CONF) != null) {
            options.qemuConf(trim(props.getProperty(KEY_QEMU_CONF)));
        }
        String path = props.getProperty(KEY_PATH) != null ? trim(props.getProperty(KEY_PATH))
                : DpdkHelperClient.findBinary();
        csdpdk = new DpdkHelperClient(path, options.build());
        log.info("csdpdk VIF driver: " + csdpdk.getPath() + ", settings " + file + ", logging through " + log.api());
        if (!dpdk) {
            log.info("csdpdk VIF driver: DPDK is off in " + file
                    + " (network.bridge.type=openvswitch and openvswitch.dpdk.enabled=true turn it on): "
                    + "every NIC is OvsVifDriver's");
            return;
        }
        checkCapable(file, required);
        collectGarbage();
    }

    private void checkCapable(File file, boolean required) throws ConfigurationException {
        String verdict;
        try {
            CapabilitiesResult caps = csdpdk.capabilities();
            if (caps.isDpdkCapable()) {
                log.info("csdpdk capabilities: this host can run DPDK VMs");
                for (String warning : caps.getWarnings()) {
                    log.warn("csdpdk capabilities: warning: " + warning);
                }
                return;
            }
            StringBuilder b = new StringBuilder();
            for (CapabilitiesResult.Reason reason : caps.getReasons()) {
                b.append(b.length() == 0 ? "" : "; ").append(reason.getCode()).append(": ").append(reason.getMessage());
            }
            verdict = b.toString();
        } catch (DpdkHelperException e) {
            verdict = describe(e);
        }
        String message = "csdpdk capabilities: " + file + " enables DPDK but this host cannot run DPDK VMs: " + verdict;
        if (required) {
            log.error(message + " (" + KEY_CAPABLE_REQUIRED + "=true: the agent does not start)");
            throw new ConfigurationException(message);
        }
        log.error("**** " + message + ". The agent still reports the capability 'dpdk' (from agent.properties); "
                + "DPDK VMs started here will fail. Set " + KEY_CAPABLE_REQUIRED + "=true to stop the agent instead. ****");
    }

    /** gc --apply at start: the ports of VMs that no longer run here (a crash while the agent was away). */
    private void collectGarbage() {
        try {
            GcResult gc = csdpdk.gc(true);
            if (!gc.getRemoved().isEmpty()) {
                log.info("csdpdk gc: removed " + gc.getRemoved().size() + " port(s) of VMs no longer here: "
                        + String.join(" ", gc.getRemoved()));
            }
        } catch (DpdkHelperException e) {
            log.warn("csdpdk gc failed (ports of stopped VMs may be left; 'csdpdk gc' tells): " + describe(e));
        }
    }

    /**
     * The stock plug, whose branching calls {@link #plugDPDKInterface} for a DPDK NIC; csdpdk's refusal,
     * carried out of that method (which declares no checked exception), becomes the InternalErrorException
     * the agent's start-failure path acts on.
     */
    @Override
    public InterfaceDef plug(NicTO nic, String guestOsType, String nicAdapter, Map<String, String> extraConfig)
            throws InternalErrorException, LibvirtException {
        try {
            return super.plug(nic, guestOsType, nicAdapter, extraConfig);
        } catch (Refusal r) {
            throw r.error;
        }
    }

    @Override
    protected void plugDPDKInterface(InterfaceDef intf, String trafficLabel, Map<String, String> extraConfig,
            String vlanId, String guestOsType, NicTO nic, String nicAdapter) {
        DpdkHelperClient client = csdpdk;
        if (client == null) {
            throw new Refusal(new InternalErrorException("csdpdk VIF driver: plug before configure"));
        }
        Map<String, String> config = extraConfig == null ? Collections.emptyMap() : extraConfig;
        InterfaceDef.NicModel model = getGuestNicModel(guestOsType, nicAdapter);
        String bridge = _pifs.get(trafficLabel) != null ? _pifs.get(trafficLabel) : trafficLabel;
        NicSpec spec = new NicSpec(nic.getMac(), bridge, null).setUuid(nic.getUuid());
        try {
            spec.setVlan(Integer.valueOf(vlanId));
        } catch (NumberFormatException e) {
            throw new Refusal(new InternalErrorException("NIC " + nic.getMac() + ": csdpdk plug: invalid_request: '"
                    + vlanId + "' is not a VLAN id (field nics[0].vlan)"));
        }
        // PrepareForMigration's plug passes no OS type and no adapter, for which the stock rule says
        // e1000: meaningless there (the mapping uses no model), so csdpdk judges the model only at a start.
        if (guestOsType != null || (nicAdapter != null && !nicAdapter.isEmpty())) {
            spec.setModel(model.toString());
        }
        // The agent reaches this method only when both extraconfig-dpdk-numa and -hugepages are there
        // (KVMGuru's rule); csdpdk judges them with the mode: snippets that cannot carry vhost-user traffic
        // (no shared memory) are refused here, with the field named, instead of a VM that boots deaf.
        Map<String, String> details = dpdkDetails(config);
        logDecode(client, nic, details);
        PlugResult result;
        try {
            result = client.plug(new PlugRequest(null, Collections.singletonList(spec),
                    DpdkDetails.decoded(null, details)));
        } catch (DpdkHelperException e) {
            throw new Refusal(new InternalErrorException("NIC " + nic.getMac() + " on bridge " + bridge + ": "
                    + describe(e), e));
        }
        PortInfo port = result.getPorts().get(0);
        String socket = port.getSocket();
        String dir = socket.substring(0, socket.lastIndexOf('/') + 1);
        log.info("csdpdk plug: NIC " + nic.getMac() + " (" + nic.getUuid() + ") -> " + port.getPort() + " on "
                + port.getBridge() + (port.isCreated() ? "" : " (already there)") + ", " + socket + ", libvirt mode "
                + port.getGuestMode());
        intf.defDpdkNet(dir, port.getPort(), nic.getMac(), model, 0, extraLines(config), port.getGuestMode());
    }

    /** The stock extra lines of a vhost-user interface: the values of extraconfig-dpdk-interface-*. */
    static String extraLines(Map<String, String> extraConfig) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : extraConfig.entrySet()) {
            if (e.getKey().startsWith(DETAIL_INTERFACE_PREFIX)) {
                b.append(e.getValue());
            }
        }
        return b.toString();
    }

    /** The DPDK details among the agent's extraConfig: DPDK-VHOSTUSER and extraconfig-dpdk-*. */
    static Map<String, String> dpdkDetails(Map<String, String> config) {
        Map<String, String> dpdk = new TreeMap<>();
        for (Map.Entry<String, String> e : config.entrySet()) {
            if (e.getKey().equals(DETAIL_MODE) || e.getKey().startsWith("extraconfig-dpdk-")) {
                dpdk.put(e.getKey(), e.getValue());
            }
        }
        return dpdk;
    }

    /** csdpdk's warnings on the VM's details, logged: the agent pastes the snippets as they are. */
    private void logDecode(DpdkHelperClient client, NicTO nic, Map<String, String> details) {
        try {
            DecodeResult d = client.decode(DpdkDetails.decoded(null, details));
            for (String warning : d.getWarnings()) {
                log.warn("csdpdk decode (NIC " + nic.getMac() + "): " + warning);
            }
        } catch (DpdkHelperException e) {
            log.warn("csdpdk decode (NIC " + nic.getMac() + "): " + describe(e));
        }
    }

    /** A DPDK port (it has a port name) is csdpdk's to remove, idempotently; anything else is OvsVifDriver's. */
    @Override
    public void unplug(InterfaceDef iface, boolean deleteBr) {
        String port = iface.getDpdkSourcePort();
        if (port == null || port.trim().isEmpty()) {
            super.unplug(iface, deleteBr);
            return;
        }
        DpdkHelperClient client = csdpdk;
        if (client == null) {
            log.error("csdpdk unplug " + port + ": the driver is not configured; the port is left");
            return;
        }
        try {
            UnplugResult r = client.unplugPorts(Collections.singletonList(port));
            log.info("csdpdk unplug: " + port + (r.getRemoved().isEmpty() ? " was not there" : " removed"));
        } catch (DpdkHelperException e) {
            log.warn("csdpdk unplug " + port + " failed (gc removes it later): " + describe(e));
        }
    }

    /** "csdpdk VERB: CODE: message (field F) [exit N]", the bridge's own words. */
    static String describe(DpdkHelperException e) {
        return e.getMessage();
    }

    private static Properties load(File file) throws ConfigurationException {
        Properties p = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigurationException("csdpdk VIF driver: cannot read " + file + ": " + e.getMessage());
        }
        return p;
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    static boolean parseBoolean(Properties p, String key, boolean dflt) throws ConfigurationException {
        String v = trim(p.getProperty(key));
        if (v == null) {
            return dflt;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
        case "true":
            return true;
        case "false":
            return false;
        default:
            throw new ConfigurationException("agent.properties: " + key + "=" + v + ": true or false");
        }
    }

    static int parseTimeout(Properties p) throws ConfigurationException {
        String v = trim(p.getProperty(KEY_TIMEOUT));
        if (v == null) {
            return (int) DpdkHelperOptions.DEFAULT_TIMEOUT.getSeconds();
        }
        try {
            int t = Integer.parseInt(v);
            if (t >= 1 && t <= MAX_TIMEOUT) {
                return t;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigurationException("agent.properties: " + KEY_TIMEOUT + "=" + v + ": seconds, 1 to " + MAX_TIMEOUT);
    }

    /** csdpdk's refusal on its way out of plugDPDKInterface, which may throw no checked exception. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient InternalErrorException error;

        Refusal(InternalErrorException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }
}
