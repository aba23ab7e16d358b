package org.csdpdk.cloudstack.agent;

import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;
import com.cloud.hypervisor.kvm.resource.LibvirtVMDef.InterfaceDef;
import com.cloud.hypervisor.kvm.resource.OvsVifDriver;
import com.cloud.hypervisor.kvm.resource.VifDriverBase;

import java.io.File;
import java.security.CodeSource;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.naming.ConfigurationException;

import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.CapabilitiesResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DecodeResult;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkDetails;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperClient;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperException;
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
    /** agent.properties keys the driver reads (csdpdk agent-config reports them). */
    public static final String KEY_PATH = AgentSettings.KEY_PATH;
    public static final String KEY_OVSDB = AgentSettings.KEY_OVSDB;
    public static final String KEY_LIBVIRT = AgentSettings.KEY_LIBVIRT;
    public static final String KEY_QEMU_CONF = AgentSettings.KEY_QEMU_CONF;
    public static final String KEY_CAPABLE_REQUIRED = AgentSettings.KEY_CAPABLE_REQUIRED;
    public static final String KEY_TIMEOUT = AgentSettings.KEY_TIMEOUT;

    static final String DETAIL_MODE = DpdkDetails.KEY_MODE;
    static final String DETAIL_INTERFACE_PREFIX = DpdkDetails.KEY_INTERFACE_PREFIX;

    /** The names csdpdk plugs and unplugs (and CloudStack's own DPDK code makes). */
    private static final Pattern CSDPDK_PORT = Pattern.compile("csdpdk-[0-9]{1,10}");
    /**
     * Port names the stock unplug may be given: it pastes the name into a bash command line
     * ({@code ovs-vsctl del-port NAME}), so only words bash reads as themselves, not an option.
     */
    private static final Pattern PLAIN_PORT = Pattern.compile("[A-Za-z0-9_.:@%+=,][A-Za-z0-9_.:@%+=,-]{0,254}");

    private final AgentLog log = AgentLog.find(CsdpdkVifDriver.class.getName(), VifDriverBase.class);
    private volatile DpdkHelperClient csdpdk;
    /** agent.properties enables DPDK (set by configure). */
    private volatile boolean dpdk;

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
        checkBridge(); // first: a bridge of another version may fail in what follows
        AgentSettings settings = AgentSettings.load(log);
        csdpdk = settings.client;
        dpdk = settings.dpdk;
        log.info("csdpdk VIF driver: " + csdpdk.getPath() + ", settings " + settings.file + ", logging through "
                + log.api());
        if (!settings.dpdk) {
            log.info("csdpdk VIF driver: DPDK is off in " + settings.file
                    + " (network.bridge.type=openvswitch and openvswitch.dpdk.enabled=true turn it on): "
                    + "every NIC is OvsVifDriver's");
            return;
        }
        checkCapable(settings.file, settings.capableRequired);
        collectGarbage();
    }

    /** The jar (or directory) a class was loaded from, or null when the JVM does not say. */
    static String origin(Class<?> c) {
        try {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? null : source.getLocation().toString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The bridge's classes are in this driver's jar; a copy earlier on the agent's class path (lib/ comes
     * before plugins/: an agent built with csdpdk's bridge inside) is the one loaded, and a bridge of
     * another version may lack what the driver calls. Said loudly; the driver goes on.
     */
    private void checkBridge() {
        String mine = origin(CsdpdkVifDriver.class);
        String bridge = origin(DpdkHelperClient.class);
        if (mine != null && bridge != null && !mine.equals(bridge)) {
            log.error("**** csdpdk VIF driver: csdpdk's bridge (" + DpdkHelperClient.class.getPackage().getName()
                    + ") is loaded from " + bridge + ", not from this driver's jar " + mine + ": an agent built with "
                    + "the bridge inside loads its own first, and a bridge of another version may fail here. "
                    + "Remove one of the two. ****");
        }
    }

    private void checkCapable(File file, boolean required) throws ConfigurationException {
        String verdict;
        String message;
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
            message = "csdpdk capabilities: " + file + " enables DPDK but this host cannot run DPDK VMs: " + verdict;
        } catch (DpdkHelperException | RuntimeException e) {
            // No verdict (csdpdk missing or failing, or a bug of the bridge's): never out of configure
            // unless the operator asked for that.
            message = "csdpdk capabilities: " + file + " enables DPDK but csdpdk could not tell whether this host can "
                    + "run DPDK VMs: " + AgentLog.why(e);
        }
        if (required) {
            log.error(message + " (" + KEY_CAPABLE_REQUIRED + "=true: the agent does not start)");
            throw new ConfigurationException(message);
        }
        log.error("**** " + message + ". The agent still reports the capability 'dpdk' (from agent.properties); "
                + "DPDK VMs started here may fail. Set " + KEY_CAPABLE_REQUIRED + "=true to stop the agent instead. ****");
    }

    /** gc --apply at start: the ports of VMs that no longer run here (a crash while the agent was away). */
    private void collectGarbage() {
        try {
            GcResult gc = csdpdk.gc(true);
            if (!gc.getRemoved().isEmpty()) {
                log.info("csdpdk gc: removed " + gc.getRemoved().size() + " port(s) of VMs no longer here: "
                        + String.join(" ", gc.getRemoved()));
            }
        } catch (DpdkHelperException | RuntimeException e) {
            // Never out of configure: the agent starts without this clean-up.
            log.warn("csdpdk gc failed (ports of stopped VMs may be left; 'csdpdk gc' tells): " + AgentLog.why(e));
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
            // Logged here: on PrepareForMigration with more NICs, the agent's clean-up of the NICs mapped
            // before this one may throw its own exception (removeDpdkPort refuses csdpdk-N names in
            // 4.18.2.1+), which then becomes the answer instead of this refusal.
            log.warn("csdpdk refused NIC " + nic.getMac() + ": " + r.error.getMessage());
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
        if (extraConfig == null) {
            // Hot-plug (PlugNicCommand, ReplugNicCommand) passes no details: no mode, no snippets, and no
            // domain start for the hook to bind the port at. The stock code fails there too (a
            // NullPointerException); this says why.
            throw new Refusal(new InternalErrorException("NIC " + nic.getMac() + ": csdpdk's VIF driver does not "
                    + "hot-plug a DPDK NIC (the agent passes no VM details there): stop the VM, add the NIC, start it"));
        }
        Map<String, String> config = extraConfig;
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
        // A multi-queue NIC: the queue count its pasted <driver queues='N'> asks for (csdpdk's offering
        // build writes extraconfig-dpdk-interface-queues so); csdpdk checks the two agree.
        Integer queues = queuesOf(config);
        if (queues != null) {
            spec.setQueues(queues);
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
                    + e.getMessage(), e));
        } catch (RuntimeException e) {
            // Not csdpdk's answer (a bug of the bridge's): still the agent's start-failure path.
            throw new Refusal(new InternalErrorException("NIC " + nic.getMac() + " on bridge " + bridge
                    + ": csdpdk plug failed: " + e, e));
        }
        PortInfo port = result.getPorts().isEmpty() ? null : result.getPorts().get(0);
        String socket = port == null ? null : port.getSocket();
        if (socket == null || socket.lastIndexOf('/') < 0 || port.getPort() == null || port.getGuestMode() == null) {
            if (port != null && port.getPort() != null && port.isCreated()) {
                unplugPort(client, port.getPort());
            }
            throw new Refusal(new InternalErrorException("NIC " + nic.getMac() + ": csdpdk plug answered without a "
                    + "port and socket: " + result.getRawResultJson()));
        }
        String dir = socket.substring(0, socket.lastIndexOf('/') + 1);
        log.info("csdpdk plug: NIC " + nic.getMac() + " (" + nic.getUuid() + ") -> " + port.getPort() + " on "
                + port.getBridge() + (port.isCreated() ? "" : " (already there)") + ", " + socket + ", libvirt mode "
                + port.getGuestMode());
        // csdpdk's warnings on this plug: a NIC OVS will poll from another NUMA node, among others.
        for (String warning : result.getWarnings()) {
            log.warn("csdpdk plug: NIC " + nic.getMac() + ": " + warning);
        }
        intf.defDpdkNet(dir, port.getPort(), nic.getMac(), model, 0, extraLines(config), port.getGuestMode());
    }

    private static final Pattern DRIVER_QUEUES = Pattern.compile("<driver\\b[^>]*\\bqueues\\s*=\\s*['\"]\\s*(\\d{1,9})\\s*['\"]");

    /** The queue count a {@code <driver queues='N'>} among the extraconfig-dpdk-interface-* values asks for, or null. */
    static Integer queuesOf(Map<String, String> extraConfig) {
        for (Map.Entry<String, String> e : new TreeMap<>(extraConfig).entrySet()) {
            if (e.getKey().startsWith(DETAIL_INTERFACE_PREFIX) && e.getValue() != null) {
                Matcher m = DRIVER_QUEUES.matcher(e.getValue());
                if (m.find()) {
                    return Integer.valueOf(m.group(1));
                }
            }
        }
        return null;
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

    /** csdpdk's verdict and warnings on the VM's details, logged: the agent pastes the snippets as they are. */
    private void logDecode(DpdkHelperClient client, NicTO nic, Map<String, String> details) {
        try {
            DecodeResult d = client.decode(DpdkDetails.decoded(null, details));
            log.info("csdpdk decode (NIC " + nic.getMac() + "): " + (d.isDpdk() ? "DPDK" : "not DPDK") + ", mode "
                    + d.getMode() + " (" + d.getPortType() + "; QEMU the socket's " + d.getGuestMode() + "), NUMA snippet "
                    + (d.getNuma() != null ? "yes" : "no") + ", hugepages snippet " + (d.getHugepages() != null ? "yes" : "no")
                    + (d.getIgnored().isEmpty() ? "" : ", ignored: " + String.join(" ", d.getIgnored())));
            for (String warning : d.getWarnings()) {
                log.warn("csdpdk decode (NIC " + nic.getMac() + "): " + warning);
            }
        } catch (DpdkHelperException | RuntimeException e) {
            // Only logged: the plug that follows is the one that may refuse.
            log.warn("csdpdk decode (NIC " + nic.getMac() + "): " + AgentLog.why(e));
        }
    }

    /** csdpdk unplug of one named port, idempotent; a failure is logged, with what removes the port later. */
    private void unplugPort(DpdkHelperClient client, String port) {
        try {
            UnplugResult r = client.unplugPorts(Collections.singletonList(port));
            log.info("csdpdk unplug: " + port + (r.getRemoved().isEmpty() ? " was not there" : " removed"));
        } catch (DpdkHelperException | RuntimeException e) {
            // Never out of unplug: the agent's stop goes on with the VM's other interfaces.
            log.warn("csdpdk unplug " + port + " failed: " + AgentLog.why(e) + " (csdpdk gc --apply removes a port of csdpdk's "
                    + "once its VM is gone; one csdpdk does not own, CloudStack's and never adopted, "
                    + "csdpdk gc --foreign --apply)");
        }
    }

    /**
     * A DPDK port named as csdpdk names them ({@code csdpdk-N}) is csdpdk's to remove, idempotently, when
     * agent.properties enables DPDK; anything else is OvsVifDriver's (which runs {@code ovs-vsctl del-port}
     * for a vhost-user port of any other name, as on a stock agent, and nothing when DPDK is off).
     */
    @Override
    public void unplug(InterfaceDef iface, boolean deleteBr) {
        String port = iface.getDpdkSourcePort();
        if (port != null && dpdk && CSDPDK_PORT.matcher(port).matches()) {
            unplugPort(csdpdk, port); // set before dpdk by configure
        } else if (port != null && dpdk && !port.isEmpty() && !PLAIN_PORT.matcher(port).matches()) {
            log.error("unplug: vhost-user port '" + port + "' is left in place: the stock unplug would paste its name "
                    + "into a shell command; remove it with ovs-vsctl del-port if it is no VM's");
        } else {
            super.unplug(iface, deleteBr);
        }
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
