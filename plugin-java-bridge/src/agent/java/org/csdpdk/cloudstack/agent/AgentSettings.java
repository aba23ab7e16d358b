package org.csdpdk.cloudstack.agent;

import com.cloud.utils.PropertiesUtil;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;

import javax.naming.ConfigurationException;

import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperClient;
import org.apache.cloudstack.hypervisor.kvm.dpdk.helper.DpdkHelperOptions;

/**
 * What the driver and the XML transformer read from the agent's agent.properties, found as the agent
 * finds it (PropertiesUtil.findConfigFile: the agent's class path holds /etc/cloudstack/agent), else
 * {@value #DEFAULT_FILE}. Values are read as the agent reads them (Properties.load, not trimmed); the
 * agent's own keys as the agent judges them (its booleans: commons-beanutils' BooleanConverter), the
 * csdpdk keys strictly: a value that is not one is a ConfigurationException naming it, exactly where
 * csdpdk agent-config says the line is wrong.
 */
final class AgentSettings {
    /** Where a Debian or EL agent keeps agent.properties, when the class path does not say. */
    static final String DEFAULT_FILE = "/etc/cloudstack/agent/agent.properties";
    static final String KEY_PATH = "csdpdk.path";
    static final String KEY_OVSDB = "csdpdk.ovsdb";
    static final String KEY_LIBVIRT = "csdpdk.libvirt";
    static final String KEY_QEMU_CONF = "csdpdk.qemu.conf";
    static final String KEY_CAPABLE_REQUIRED = "csdpdk.capable.required";
    static final String KEY_TIMEOUT = "csdpdk.timeout";
    static final int MAX_TIMEOUT = 3600;

    /** An older bridge's missing logger option is said once per JVM. */
    private static final java.util.concurrent.atomic.AtomicBoolean OLD_BRIDGE_SAID =
            new java.util.concurrent.atomic.AtomicBoolean();

    final File file;
    /** network.bridge.type=openvswitch and openvswitch.dpdk.enabled=true, as the agent reads them. */
    final boolean dpdk;
    final boolean capableRequired;
    final DpdkHelperClient client;

    private AgentSettings(File file, boolean dpdk, boolean capableRequired, DpdkHelperClient client) {
        this.file = file;
        this.dpdk = dpdk;
        this.capableRequired = capableRequired;
        this.client = client;
    }

    /** agent.properties as the agent finds it; the client logs to 'log'. */
    static AgentSettings load(AgentLog log) throws ConfigurationException {
        File file = PropertiesUtil.findConfigFile("agent.properties");
        if (file == null) {
            file = new File(DEFAULT_FILE);
        }
        Properties p = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigurationException("csdpdk: cannot read " + file + ": " + e.getMessage());
        }
        boolean dpdk = "openvswitch".equalsIgnoreCase(get(p, "network.bridge.type"))
                && agentTrue(get(p, "openvswitch.dpdk.enabled"));
        DpdkHelperOptions.Builder options = DpdkHelperOptions.builder().agentProperties(file.getAbsolutePath())
                .timeout(timeout(p));
        try {
            options.logger(log.asSystemLogger());
        } catch (NoSuchMethodError e) {
            // A bridge of another version loaded first (the driver's configure says where from); said
            // once, not at every domain the transformer completes.
            if (OLD_BRIDGE_SAID.compareAndSet(false, true)) {
                log.warn("csdpdk's bridge has no DpdkHelperOptions.Builder.logger (" + e.getMessage() + "): its own lines "
                    + "go to java.util.logging");
            }
        }
        if (get(p, KEY_OVSDB) != null) {
            options.ovsdb(checked(p, KEY_OVSDB, OVSDB_URL, "unix:/PATH, tcp:HOST:PORT or ssl:HOST:PORT"));
        }
        if (get(p, KEY_LIBVIRT) != null) {
            options.libvirt(checked(p, KEY_LIBVIRT, LIBVIRT_URI, "a libvirt URI (SCHEME://...)"));
        }
        if (get(p, KEY_QEMU_CONF) != null) {
            options.qemuConf(checked(p, KEY_QEMU_CONF, "(?s)/.*", "an absolute path"));
        }
        String path = get(p, KEY_PATH);
        if (path == null) {
            path = DpdkHelperClient.findBinary();
        } else if (!path.startsWith("/") || !new File(path).isFile() || !new File(path).canExecute()) {
            throw new ConfigurationException("agent.properties: " + KEY_PATH + "=" + path
                    + ": an absolute path to an executable file");
        }
        return new AgentSettings(file, dpdk, bool(p, KEY_CAPABLE_REQUIRED, false),
                new DpdkHelperClient(path, options.build()));
    }

    /** As csdpdk's --ovsdb (and agent-config's check): unix:/PATH, tcp:HOST:PORT or ssl:HOST:PORT. */
    static final String OVSDB_URL = "(?s)unix:/.*|(tcp|ssl):.+:[0-9]{1,5}";
    /** As libvirt's URIs: qemu:///system, qemu+ssh://host/system. */
    static final String LIBVIRT_URI = "(?s)[a-z][a-z0-9+.-]*://.*";

    /** The value of 'key', which must match 'pattern' (the whole of it), else what it must be. */
    private static String checked(Properties p, String key, String pattern, String what) throws ConfigurationException {
        String v = get(p, key);
        if (!v.matches(pattern)) {
            throw new ConfigurationException("agent.properties: " + key + "=" + v + ": " + what);
        }
        return v;
    }

    private static String get(Properties p, String key) {
        return p.getProperty(key);
    }

    /** A boolean as the agent reads it (BooleanConverter): true, yes, y, on or 1, in any case. */
    static boolean agentTrue(String v) {
        return v != null && java.util.Arrays.asList("true", "yes", "y", "on", "1").contains(v.toLowerCase(Locale.ROOT));
    }

    static boolean bool(Properties p, String key, boolean dflt) throws ConfigurationException {
        String v = get(p, key);
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

    /** csdpdk.timeout: seconds above 0 and at most 3600, fractions allowed (as csdpdk's --timeout). */
    static Duration timeout(Properties p) throws ConfigurationException {
        String v = get(p, KEY_TIMEOUT);
        if (v == null) {
            return DpdkHelperOptions.DEFAULT_TIMEOUT;
        }
        if (v.matches("[0-9]+(\\.[0-9]+)?")) {
            double t = Double.parseDouble(v);
            if (t > 0 && t <= MAX_TIMEOUT) {
                return Duration.ofMillis(Math.max(1, Math.round(t * 1000)));
            }
        }
        throw new ConfigurationException("agent.properties: " + KEY_TIMEOUT + "=" + v
                + ": seconds above 0 and at most " + MAX_TIMEOUT);
    }
}
