package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link DpdkHelperClient} runs csdpdk: the bridge's timeout, and csdpdk's global options. Immutable;
 * build one with {@link #builder()}. Options left unset are not passed, so csdpdk's defaults apply
 * (those of a CloudStack KVM host: {@code unix:/var/run/openvswitch/db.sock}, {@code qemu:///system},
 * {@code /etc/cloudstack/agent/agent.properties}, {@code /sys}, {@code /proc},
 * {@code /etc/libvirt/qemu.conf}).
 */
public final class DpdkHelperOptions {
    /** The bridge's default bound on one call, process start to exit. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** csdpdk refuses a {@code --timeout} above this. */
    static final Duration MAX_HELPER_TIMEOUT = Duration.ofSeconds(3600);
    /** The least {@code --timeout} the bridge passes. */
    static final Duration MIN_HELPER_TIMEOUT = Duration.ofMillis(100);
    /** What stdout may hold before the output counts as broken (a domain XML is well under 1 MiB). */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 16 << 20;

    private final Duration timeout;
    private final Duration helperTimeout;
    private final String ovsdb;
    private final String libvirt;
    private final String agentProperties;
    private final String sysfs;
    private final String proc;
    private final String qemuConf;
    private final boolean verbose;
    private final int maxOutputBytes;
    private final System.Logger logger;

    private DpdkHelperOptions(Builder b) {
        this.timeout = b.timeout;
        this.helperTimeout = b.helperTimeout;
        this.ovsdb = b.ovsdb;
        this.libvirt = b.libvirt;
        this.agentProperties = b.agentProperties;
        this.sysfs = b.sysfs;
        this.proc = b.proc;
        this.qemuConf = b.qemuConf;
        this.verbose = b.verbose;
        this.maxOutputBytes = b.maxOutputBytes;
        this.logger = b.logger;
    }

    /** Every option unset, timeout {@link #DEFAULT_TIMEOUT}. */
    public static DpdkHelperOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.timeout = timeout;
        b.helperTimeout = helperTimeout;
        b.ovsdb = ovsdb;
        b.libvirt = libvirt;
        b.agentProperties = agentProperties;
        b.sysfs = sysfs;
        b.proc = proc;
        b.qemuConf = qemuConf;
        b.verbose = verbose;
        b.maxOutputBytes = maxOutputBytes;
        b.logger = logger;
        return b;
    }

    /** The bridge's bound on one call; csdpdk is killed when it runs longer. */
    public Duration getTimeout() {
        return timeout;
    }

    /**
     * The {@code --timeout} passed to csdpdk: the one set with {@link Builder#helperTimeout(Duration)},
     * else the bridge's timeout less a margin, so that csdpdk reports its own {@code timeout} (exit 75)
     * before the bridge has to kill it. csdpdk ends its OVSDB waits at {@code --timeout} and its watchdog
     * (for libvirt calls) fires one second later, so the margin is 1.5 s plus 5 % of the timeout
     * (30 s gives 27 s), and never less than a quarter of the timeout.
     */
    public Duration getEffectiveHelperTimeout() {
        Duration d;
        if (helperTimeout != null) {
            d = helperTimeout;
        } else {
            long t = timeout.toMillis();
            long margin = 1500 + t / 20;
            d = Duration.ofMillis(Math.max(t - margin, t / 4));
        }
        if (d.compareTo(MIN_HELPER_TIMEOUT) < 0) {
            d = MIN_HELPER_TIMEOUT;
        }
        if (d.compareTo(MAX_HELPER_TIMEOUT) > 0) {
            d = MAX_HELPER_TIMEOUT;
        }
        return d;
    }

    public String getOvsdb() {
        return ovsdb;
    }

    public String getLibvirt() {
        return libvirt;
    }

    public String getAgentProperties() {
        return agentProperties;
    }

    public String getSysfs() {
        return sysfs;
    }

    public String getProc() {
        return proc;
    }

    public String getQemuConf() {
        return qemuConf;
    }

    public boolean isVerbose() {
        return verbose;
    }

    public int getMaxOutputBytes() {
        return maxOutputBytes;
    }

    /** Where the bridge logs (each call at debug, csdpdk's stderr); null: {@code System.getLogger}. */
    public System.Logger getLogger() {
        return logger;
    }

    /** The global options, as argv elements, in a fixed order (without {@code --format}). */
    List<String> globalArgs() {
        List<String> args = new ArrayList<>();
        args.add("--timeout");
        args.add(formatSeconds(getEffectiveHelperTimeout()));
        addOption(args, "--ovsdb", ovsdb);
        addOption(args, "--libvirt", libvirt);
        addOption(args, "--agent-properties", agentProperties);
        addOption(args, "--sysfs", sysfs);
        addOption(args, "--proc", proc);
        addOption(args, "--qemu-conf", qemuConf);
        if (verbose) {
            args.add("--verbose");
        }
        return args;
    }

    private static void addOption(List<String> args, String name, String value) {
        if (value != null) {
            args.add(name);
            args.add(value);
        }
    }

    /** Milliseconds as seconds with up to three decimals, no exponent, no trailing zeros: 27, 2.25. */
    static String formatSeconds(Duration d) {
        long ms = d.toMillis();
        String s = (ms / 1000) + "." + String.format(java.util.Locale.ROOT, "%03d", ms % 1000);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return "DpdkHelperOptions{timeout=" + timeout + ", csdpdk " + String.join(" ", globalArgs()) + "}";
    }

    /** Builds {@link DpdkHelperOptions}. */
    public static final class Builder {
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration helperTimeout;
        private String ovsdb;
        private String libvirt;
        private String agentProperties;
        private String sysfs;
        private String proc;
        private String qemuConf;
        private boolean verbose;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private System.Logger logger;

        private Builder() {
        }

        /** The bridge's bound on one call (default 30 s); csdpdk is killed, with its children, past it. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, not " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * csdpdk's own {@code --timeout}; by default derived from {@link #timeout(Duration)}
         * ({@link DpdkHelperOptions#getEffectiveHelperTimeout()}). {@code null} restores the default.
         */
        public Builder helperTimeout(Duration helperTimeout) {
            if (helperTimeout != null && (helperTimeout.isNegative() || helperTimeout.isZero())) {
                throw new IllegalArgumentException("helperTimeout must be positive, not " + helperTimeout);
            }
            this.helperTimeout = helperTimeout;
            return this;
        }

        /** {@code --ovsdb URL}, e.g. {@code unix:/var/run/openvswitch/db.sock}. */
        public Builder ovsdb(String url) {
            this.ovsdb = url;
            return this;
        }

        /** {@code --libvirt URI}, e.g. {@code qemu:///system}. */
        public Builder libvirt(String uri) {
            this.libvirt = uri;
            return this;
        }

        /**
         * {@code --agent-properties FILE}: the agent's agent.properties, read by csdpdk for
         * {@code network.bridge.type}, {@code openvswitch.dpdk.enabled} and {@code openvswitch.dpdk.ovs.path}.
         */
        public Builder agentProperties(String file) {
            this.agentProperties = file;
            return this;
        }

        /** {@code --sysfs DIR} (tests). */
        public Builder sysfs(String dir) {
            this.sysfs = dir;
            return this;
        }

        /** {@code --proc DIR} (tests). */
        public Builder proc(String dir) {
            this.proc = dir;
            return this;
        }

        /** {@code --qemu-conf FILE}. */
        public Builder qemuConf(String file) {
            this.qemuConf = file;
            return this;
        }

        /** {@code --verbose}: csdpdk logs each run on stderr, which the bridge keeps apart and logs at debug. */
        public Builder verbose(boolean verbose) {
            this.verbose = verbose;
            return this;
        }

        /** The most stdout the bridge reads (default 16 MiB); beyond it the output counts as broken. */
        public Builder maxOutputBytes(int maxOutputBytes) {
            if (maxOutputBytes < 1024) {
                throw new IllegalArgumentException("maxOutputBytes must be at least 1024");
            }
            this.maxOutputBytes = maxOutputBytes;
            return this;
        }

        /**
         * The logger the bridge writes to instead of its own ({@code System.getLogger} of the client's
         * class, which goes to java.util.logging unless the JVM has a LoggerFinder): an application with
         * a log of its own (CloudStack's agent) hands it here; null for the default.
         */
        public Builder logger(System.Logger logger) {
            this.logger = logger;
            return this;
        }

        public DpdkHelperOptions build() {
            return new DpdkHelperOptions(this);
        }
    }
}
