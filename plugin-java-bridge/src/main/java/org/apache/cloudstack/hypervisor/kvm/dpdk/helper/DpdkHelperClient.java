package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Calls csdpdk, the host helper that plugs CloudStack KVM VMs into Open vSwitch with DPDK.
 *
 * <p>Each call runs {@code csdpdk --format json --timeout T [global options] VERB [verb options]} as an
 * argv list through {@link ProcessBuilder} (never a shell), writes the request JSON on stdin and closes
 * it, reads stdout and stderr apart and concurrently, kills csdpdk and its children when it runs past
 * the timeout, and turns the one JSON envelope on stdout and the exit status into a typed result or a
 * {@link DpdkHelperException}:
 *
 * <table>
 * <caption>Exit status and envelope → outcome</caption>
 * <tr><th>exit</th><th>envelope</th><th>outcome</th></tr>
 * <tr><td>0</td><td>ok</td><td>result</td></tr>
 * <tr><td>1</td><td>ok</td><td>result with a negative verdict (capabilities, migrate-prepare, migrate-check only)</td></tr>
 * <tr><td>64, 65, 70</td><td>error</td><td>{@link DpdkHelperException}</td></tr>
 * <tr><td>69</td><td>error</td><td>{@link DpdkHelperUnavailableException}</td></tr>
 * <tr><td>75</td><td>error</td><td>{@link DpdkHelperRetryableException}</td></tr>
 * <tr><td>killed on timeout</td><td>-</td><td>{@link DpdkHelperRetryableException} {@code helper_timeout}</td></tr>
 * <tr><td>not started</td><td>-</td><td>{@link DpdkHelperUnavailableException} {@code helper_not_found},
 *     {@code helper_not_executable}, {@code helper_start_failed}</td></tr>
 * <tr><td>anything else</td><td>not exactly one envelope, or one that contradicts the exit status</td>
 *     <td>{@link DpdkHelperUnavailableException} {@code helper_bad_output}</td></tr>
 * </table>
 *
 * <p>Instances are immutable and thread-safe; each call is its own process.
 */
public class DpdkHelperClient {
    /** Where Debian's package installs csdpdk; used when {@code csdpdk} is not on PATH. */
    public static final String DEFAULT_BINARY = "/usr/bin/csdpdk";
    public static final String BINARY_NAME = "csdpdk";

    public static final int EXIT_OK = 0;
    public static final int EXIT_NEGATIVE = 1;
    public static final int EXIT_USAGE = 64;
    public static final int EXIT_INVALID_REQUEST = 65;
    public static final int EXIT_UNAVAILABLE = 69;
    public static final int EXIT_INTERNAL = 70;
    public static final int EXIT_TEMPFAIL = 75;

    public static final String VERB_VERSION = "version";
    public static final String VERB_DECODE = "decode";
    public static final String VERB_CAPABILITIES = "capabilities";
    public static final String VERB_PLUG = "plug";
    public static final String VERB_RENDER = "render";
    public static final String VERB_UNPLUG = "unplug";
    public static final String VERB_STATUS = "status";
    public static final String VERB_GC = "gc";
    public static final String VERB_MIGRATE_PREPARE = "migrate-prepare";
    public static final String VERB_MIGRATE_CHECK = "migrate-check";
    public static final String VERB_MIGRATE_REWRITE = "migrate-rewrite";
    public static final String VERB_MIGRATE_ABORT = "migrate-abort";
    public static final String VERB_MIGRATE_FINISH = "migrate-finish";
    public static final String VERB_DOMAIN_COMPLETE = "domain-complete";

    /** Every verb this bridge calls; each must be in {@code csdpdk --help --format json}. */
    public static final List<String> VERBS = Collections.unmodifiableList(Arrays.asList(
            VERB_VERSION, VERB_DECODE, VERB_CAPABILITIES, VERB_PLUG, VERB_RENDER, VERB_UNPLUG, VERB_STATUS,
            VERB_GC, VERB_MIGRATE_PREPARE, VERB_MIGRATE_CHECK, VERB_MIGRATE_REWRITE, VERB_MIGRATE_ABORT,
            VERB_MIGRATE_FINISH, VERB_DOMAIN_COMPLETE));

    /** The verbs whose exit status 1 is a negative verdict, not an error. */
    static final Set<String> VERDICT_VERBS = Set.of(VERB_CAPABILITIES, VERB_MIGRATE_PREPARE, VERB_MIGRATE_CHECK);

    private static final System.Logger LOG = System.getLogger(DpdkHelperClient.class.getName());
    private static final int MAX_EXCERPT = 200;
    private static final int MAX_LOGGED_STDERR = 2000;
    private static final Gson GSON = Json.GSON;

    private final String path;
    private final DpdkHelperOptions options;

    /** csdpdk from PATH (else {@value #DEFAULT_BINARY}), default options. */
    public DpdkHelperClient() {
        this(findBinary(), DpdkHelperOptions.defaults());
    }

    /** The csdpdk at {@code path}, default options. */
    public DpdkHelperClient(String path) {
        this(path, DpdkHelperOptions.defaults());
    }

    /** csdpdk from PATH (else {@value #DEFAULT_BINARY}) with these options. */
    public DpdkHelperClient(DpdkHelperOptions options) {
        this(findBinary(), options);
    }

    public DpdkHelperClient(String path, DpdkHelperOptions options) {
        this.path = Objects.requireNonNull(path, "path");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The same binary with other options. */
    public DpdkHelperClient withOptions(DpdkHelperOptions newOptions) {
        return new DpdkHelperClient(path, newOptions);
    }

    public String getPath() {
        return path;
    }

    public DpdkHelperOptions getOptions() {
        return options;
    }

    /** The first executable {@code csdpdk} in the directories of PATH, else {@value #DEFAULT_BINARY}. */
    public static String findBinary() {
        return findBinary(System.getenv("PATH"));
    }

    static String findBinary(String pathVariable) {
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Paths.get(dir, BINARY_NAME);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath().toString();
                }
            }
        }
        return DEFAULT_BINARY;
    }

    /**
     * The operation id of a VM's migration, derived from its UUID ({@code migrate-UUID}, 44 characters),
     * so that the destination finds it again in a later command (PrepareForMigration's rollback,
     * PostMigration) without keeping state. One VM migrates once at a time.
     */
    public static String operationIdFor(String vmUuid) {
        Objects.requireNonNull(vmUuid, "vmUuid");
        return "migrate-" + vmUuid.toLowerCase(java.util.Locale.ROOT);
    }

    /** A fresh operation id for a migration (a UUID: 36 characters of {@code [0-9a-f-]}). */
    public static String newOperationId() {
        return UUID.randomUUID().toString();
    }

    // ---------------------------------------------------------------- verbs

    /** {@code csdpdk --help --format json}: the verb table. */
    public HelpResult help() throws DpdkHelperException {
        return invoke("help", List.of("--help"), null, HelpResult.class, false);
    }

    /** Whether this csdpdk has the verb (one {@code --help} call). */
    public boolean supportsVerb(String verb) throws DpdkHelperException {
        return help().hasVerb(verb);
    }

    /** {@code version}: csdpdk's version and its libraries'. */
    public VersionResult version() throws DpdkHelperException {
        return call(VERB_VERSION, null, VersionResult.class);
    }

    /** {@code decode}: merge, decode and check a VM's DPDK details (no host state is read or changed). */
    public DecodeResult decode(DpdkDetails details) throws DpdkHelperException {
        return call(VERB_DECODE, Objects.requireNonNull(details, "details"), DecodeResult.class);
    }

    /** {@code decode} of the offering's and the VM's details with this encoding ({@code url} or {@code none}). */
    public DecodeResult decode(Map<String, String> offering, Map<String, String> vm, String encoding)
            throws DpdkHelperException {
        return decode(new DpdkDetails(offering, vm, encoding));
    }

    /**
     * {@code capabilities}: whether this host can run DPDK VMs. Not capable is a result (exit 1), with
     * its reasons; {@link CapabilitiesResult#getCapabilityToken()} is what the agent appends to its
     * capabilities.
     */
    public CapabilitiesResult capabilities() throws DpdkHelperException {
        return call(VERB_CAPABILITIES, null, CapabilitiesResult.class);
    }

    /** {@code plug}: create (or find again) the VM's vhost-user ports and render its XML. Idempotent. */
    public PlugResult plug(PlugRequest request) throws DpdkHelperException {
        return plug(request, false);
    }

    /** {@code plug}, or with {@code dryRun} only what it would do ({@code --dry-run}). */
    public PlugResult plug(PlugRequest request, boolean dryRun) throws DpdkHelperException {
        return call(VERB_PLUG, Objects.requireNonNull(request, "request"), PlugResult.class, dryRunArgs(dryRun));
    }

    /** {@code render}: the XML for NICs whose ports are known ({@link NicSpec#setPort(String)}), without OVSDB. */
    public RenderResult render(PlugRequest request) throws DpdkHelperException {
        return call(VERB_RENDER, Objects.requireNonNull(request, "request"), RenderResult.class);
    }

    /** {@code unplug}: remove a VM's ports and/or named ports. Unplugging twice succeeds. */
    public UnplugResult unplug(UnplugRequest request) throws DpdkHelperException {
        return unplug(request, false);
    }

    public UnplugResult unplug(UnplugRequest request, boolean dryRun) throws DpdkHelperException {
        return call(VERB_UNPLUG, Objects.requireNonNull(request, "request"), UnplugResult.class,
                    dryRunArgs(dryRun));
    }

    /** {@code unplug} of every port of the VM with this UUID. */
    public UnplugResult unplug(String vmUuid) throws DpdkHelperException {
        return unplug(UnplugRequest.forVm(Objects.requireNonNull(vmUuid, "vmUuid")));
    }

    /** {@code unplug} of these {@code csdpdk-N} ports (e.g. the source's old ports after a migration). */
    public UnplugResult unplugPorts(List<String> ports) throws DpdkHelperException {
        return unplug(UnplugRequest.forPorts(Objects.requireNonNull(ports, "ports")));
    }

    /** {@code status} of every vhost-user port. */
    public StatusResult status() throws DpdkHelperException {
        return call(VERB_STATUS, null, StatusResult.class);
    }

    /** {@code status} of one VM's ports ({@code null}: all). */
    public StatusResult status(String vmUuid) throws DpdkHelperException {
        if (vmUuid == null) {
            return status();
        }
        Map<String, Object> request = Map.of("vm", new VmSpec(vmUuid));
        return call(VERB_STATUS, request, StatusResult.class);
    }

    /** {@code gc}: csdpdk's ports whose VM no longer runs; removed only with {@code apply}. */
    public GcResult gc(boolean apply) throws DpdkHelperException {
        return call(VERB_GC, null, GcResult.class, apply ? new String[] {"--apply"} : new String[0]);
    }

    /**
     * {@code migrate-prepare} on the destination: the whole verdict. Not eligible is a result (exit 1)
     * and no port was created. After any exception, call {@link #abortMigration(String)} with the same
     * operation id: it removes exactly what was created, if anything.
     */
    public MigratePrepareResult migratePrepare(MigratePrepareRequest request) throws DpdkHelperException {
        return migratePrepare(request, false);
    }

    /** {@code migrate-prepare}, or with {@code dryRun} only the checks and the names it would use. */
    public MigratePrepareResult migratePrepare(MigratePrepareRequest request, boolean dryRun)
            throws DpdkHelperException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(request.getOpId(), "request.op_id");
        return call(VERB_MIGRATE_PREPARE, request, MigratePrepareResult.class, dryRunArgs(dryRun));
    }

    /**
     * {@code migrate-prepare} for CloudStack's PrepareForMigration: the MAC → {@link DpdkTo} map the
     * answer carries. Not eligible throws {@link DpdkHelperNotEligibleException} (with every check); an
     * eligible answer whose mapping lacks a NIC of the request is {@code helper_bad_output}.
     */
    public Map<String, DpdkTo> prepareForMigration(MigratePrepareRequest request) throws DpdkHelperException {
        MigratePrepareResult result = migratePrepare(request);
        if (!result.isEligible()) {
            throw new DpdkHelperNotEligibleException(result);
        }
        Map<String, DpdkTo> mapping = result.getMapping();
        for (NicSpec nic : request.getNics()) {
            if (nic.getMac() != null && findMac(mapping, nic.getMac()) == null) {
                throw new DpdkHelperUnavailableException(VERB_MIGRATE_PREPARE, DpdkHelperException.HELPER_BAD_OUTPUT,
                        "eligible, but the mapping has no entry for NIC " + nic.getMac(), null,
                        result.getExitStatus(), false, result.getWarnings(), result.getStderr(), null);
            }
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(mapping));
    }

    private static DpdkTo findMac(Map<String, DpdkTo> mapping, String mac) {
        for (Map.Entry<String, DpdkTo> e : mapping.entrySet()) {
            if (e.getKey().equalsIgnoreCase(mac)) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * {@code migrate-check} on the source: both ends checked before migrating. Not eligible is a result
     * (exit 1), with every check.
     */
    public MigrateCheckResult checkMigration(MigrateCheckRequest request) throws DpdkHelperException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(request.getDomainXml(), "request.domain_xml");
        return call(VERB_MIGRATE_CHECK, request, MigrateCheckResult.class);
    }

    /**
     * {@code migrate-check} of the VM's live domain XML against the destination's libvirt URI and the
     * destination's report (its {@code migrate-prepare} or {@code capabilities} result); both optional.
     */
    public MigrateCheckResult checkMigration(String domainXml, String destinationUri,
                                             DpdkHelperResult destinationReport) throws DpdkHelperException {
        return checkMigration(new MigrateCheckRequest(domainXml).setDestination(destinationUri)
                .setDestinationReport(destinationReport));
    }

    /** {@code migrate-rewrite}: the full result (the XML and the warnings, e.g. unused mapping entries). */
    public MigrateRewriteResult migrateRewrite(MigrateRewriteRequest request) throws DpdkHelperException {
        Objects.requireNonNull(request, "request");
        return call(VERB_MIGRATE_REWRITE, request, MigrateRewriteResult.class);
    }

    /**
     * {@code migrate-rewrite}: the domain XML with each vhost-user interface pointed, by MAC, at the
     * destination's port. A vhost-user MAC missing from the mapping is {@code missing_interface} (exit 65).
     */
    public String rewriteForMigration(String domainXml, Map<String, DpdkTo> mapping) throws DpdkHelperException {
        Objects.requireNonNull(domainXml, "domainXml");
        Objects.requireNonNull(mapping, "mapping");
        return migrateRewrite(new MigrateRewriteRequest(domainXml, mapping)).getDomainXml();
    }

    /**
     * {@code domain-complete}: the domain with its vhost-user interfaces completed as csdpdk renders them
     * (for the agent's XML transformer hook at a VM's start). Reads OVSDB, changes nothing.
     */
    public DomainCompleteResult completeDomain(String domainXml) throws DpdkHelperException {
        return call(VERB_DOMAIN_COMPLETE, Map.of("domain_xml", Objects.requireNonNull(domainXml, "domainXml")),
                DomainCompleteResult.class);
    }

    /** {@code migrate-abort} on the destination: remove exactly the ports of this operation. Idempotent. */
    public MigrateAbortResult abortMigration(String opId) throws DpdkHelperException {
        return call(VERB_MIGRATE_ABORT, Map.of("op_id", Objects.requireNonNull(opId, "opId")),
                    MigrateAbortResult.class);
    }

    /**
     * {@code migrate-finish} on the destination, after libvirt reported success: csdpdk first checks, within
     * its timeout, that each of the operation's ports is connected with the virtio features the guest
     * negotiated, then makes them ordinary ports. A NIC whose device was set up again without them (the
     * destination's switch restarted while the VM moved) is {@code port_broken} (exit 70): the VM needs a
     * restart, nothing was changed. A port still not connected at the timeout is {@code timeout} (exit 75).
     */
    public MigrateFinishResult finishMigration(String opId) throws DpdkHelperException {
        return finishMigration(opId, true);
    }

    /** {@code migrate-finish}; {@code verify} false only clears the tags (csdpdk 0.1.0's behaviour). */
    public MigrateFinishResult finishMigration(String opId, boolean verify) throws DpdkHelperException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("op_id", Objects.requireNonNull(opId, "opId"));
        if (!verify) {
            request.put("verify", false);
        }
        return call(VERB_MIGRATE_FINISH, request, MigrateFinishResult.class);
    }

    /**
     * Any verb: {@code request} (serialised with Gson; {@code null} for none) on stdin, {@code verbArgs}
     * after the verb, the envelope's {@code result} as {@code resultType}. Exit status 1 is accepted for
     * the verdict verbs only.
     */
    public <T extends DpdkHelperResult> T call(String verb, Object request, Class<T> resultType, String... verbArgs)
            throws DpdkHelperException {
        Objects.requireNonNull(verb, "verb");
        List<String> tail = new ArrayList<>();
        tail.add(verb);
        tail.addAll(Arrays.asList(verbArgs));
        return invoke(verb, tail, request, resultType, VERDICT_VERBS.contains(verb));
    }

    private static String[] dryRunArgs(boolean dryRun) {
        return dryRun ? new String[] {"--dry-run"} : new String[0];
    }

    // ---------------------------------------------------------------- machinery

    /** The whole argv of a call: binary, {@code --format json}, global options, then {@code tail}. */
    List<String> argv(List<String> tail) {
        List<String> argv = new ArrayList<>();
        argv.add(path);
        argv.add("--format");
        argv.add("json");
        argv.addAll(options.globalArgs());
        argv.addAll(tail);
        return argv;
    }

    private <T extends DpdkHelperResult> T invoke(String verb, List<String> tail, Object request, Class<T> type,
                                                  boolean verdictAllowed) throws DpdkHelperException {
        checkBinary(verb);
        List<String> argv = argv(tail);
        byte[] stdin = request == null ? new byte[0] : Json.request(request).getBytes(StandardCharsets.UTF_8);

        HelperProcess.Outcome outcome;
        try {
            outcome = HelperProcess.run(argv, stdin, options.getTimeout(), options.getMaxOutputBytes());
        } catch (IOException e) {
            throw startFailure(verb, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DpdkHelperException(verb, DpdkHelperException.HELPER_INTERRUPTED,
                    "interrupted while waiting for csdpdk, which was killed", null,
                    DpdkHelperException.NO_EXIT_STATUS, false, null, "", e);
        }
        log(argv, outcome);

        if (outcome.timedOut) {
            throw new DpdkHelperRetryableException(verb, DpdkHelperException.HELPER_TIMEOUT,
                    "csdpdk did not exit within " + options.getTimeout().toMillis() + " ms and was killed",
                    null, DpdkHelperException.NO_EXIT_STATUS, false, null, outcome.stderr, null);
        }
        int exit = outcome.exitStatus;
        if (!outcome.outputComplete) {
            throw badOutput(verb, exit, outcome, "its output was still open after it exited", null);
        }
        if (outcome.stdoutOverflow) {
            throw badOutput(verb, exit, outcome, "more than " + options.getMaxOutputBytes() + " bytes on stdout", null);
        }

        JsonObject envelope;
        try {
            envelope = parseSingleDocument(outcome.stdout);
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw badOutput(verb, exit, outcome, "stdout is not one JSON document (" + e.getMessage() + ")", e);
        }
        Envelope env = Envelope.read(envelope);
        if (env.problem != null) {
            throw badOutput(verb, exit, outcome, env.problem, null);
        }
        if (env.verb != null && !env.verb.equals(verb)) {
            throw badOutput(verb, exit, outcome, "the envelope is for verb '" + env.verb + "'", null);
        }

        if (env.ok) {
            if (env.verb == null) {
                throw badOutput(verb, exit, outcome, "a successful envelope without a verb", null);
            }
            if (exit != EXIT_OK && !(exit == EXIT_NEGATIVE && verdictAllowed)) {
                throw badOutput(verb, exit, outcome, "ok is true but the exit status is " + describeExit(exit), null);
            }
            T result;
            try {
                result = GSON.fromJson(env.result, type);
            } catch (RuntimeException e) {
                // JsonParseException, and what Gson 1.7.2's reflective path throws itself
                // (IllegalStateException, ClassCastException, NumberFormatException) on a wrong shape.
                throw badOutput(verb, exit, outcome, "the result does not have the expected shape ("
                        + e.getMessage() + ")", e);
            }
            if (result == null) {
                throw badOutput(verb, exit, outcome, "no result", null);
            }
            result.setEnvelope(verb, env.warnings, exit, outcome.stderr, outcome.durationMillis, env.result);
            return result;
        }

        switch (exit) {
            case EXIT_TEMPFAIL:
                throw new DpdkHelperRetryableException(verb, env.code, env.message, env.field, exit, true,
                        env.warnings, outcome.stderr, null);
            case EXIT_UNAVAILABLE:
                throw new DpdkHelperUnavailableException(verb, env.code, env.message, env.field, exit, true,
                        env.warnings, outcome.stderr, null);
            case EXIT_USAGE:
            case EXIT_INVALID_REQUEST:
            case EXIT_INTERNAL:
                throw new DpdkHelperException(verb, env.code, env.message, env.field, exit, true, env.warnings,
                        outcome.stderr, null);
            default:
                throw badOutput(verb, exit, outcome, "an error envelope (" + env.code + ": " + env.message
                        + ") with exit status " + describeExit(exit), null);
        }
    }

    private void checkBinary(String verb) throws DpdkHelperUnavailableException {
        Path p = Paths.get(path);
        if (!Files.exists(p)) {
            throw unavailable(verb, DpdkHelperException.HELPER_NOT_FOUND, "no csdpdk at " + path, null);
        }
        if (Files.isDirectory(p) || !Files.isExecutable(p)) {
            throw unavailable(verb, DpdkHelperException.HELPER_NOT_EXECUTABLE, path + " is not executable", null);
        }
    }

    private DpdkHelperUnavailableException startFailure(String verb, IOException e) {
        String m = String.valueOf(e.getMessage());
        String code = m.contains("error=2,") ? DpdkHelperException.HELPER_NOT_FOUND
                : m.contains("error=13,") ? DpdkHelperException.HELPER_NOT_EXECUTABLE
                : DpdkHelperException.HELPER_START_FAILED;
        return unavailable(verb, code, "cannot start " + path + ": " + m, e);
    }

    private static DpdkHelperUnavailableException unavailable(String verb, String code, String message, Throwable cause) {
        return new DpdkHelperUnavailableException(verb, code, message, null, DpdkHelperException.NO_EXIT_STATUS,
                false, null, "", cause);
    }

    private static DpdkHelperUnavailableException badOutput(String verb, int exit, HelperProcess.Outcome o,
                                                            String what, Throwable cause) {
        StringBuilder m = new StringBuilder("csdpdk broke its output contract: ").append(what);
        m.append("; exit status ").append(describeExit(exit));
        m.append("; stdout ").append(excerpt(new String(o.stdout, StandardCharsets.UTF_8)));
        if (!o.stderr.isEmpty()) {
            m.append("; stderr ").append(excerpt(o.stderr));
        }
        return new DpdkHelperUnavailableException(verb, DpdkHelperException.HELPER_BAD_OUTPUT, m.toString(), null,
                exit, false, null, o.stderr, cause);
    }

    static String describeExit(int exit) {
        if (exit > 128 && exit < 128 + 65) {
            return exit + " (killed by signal " + (exit - 128) + ")";
        }
        return Integer.toString(exit);
    }

    private static String excerpt(String s) {
        String t = s.strip();
        if (t.isEmpty()) {
            return "(empty)";
        }
        t = t.replaceAll("\\s+", " ");
        return '\'' + (t.length() > MAX_EXCERPT ? t.substring(0, MAX_EXCERPT) + "…" : t) + '\'';
    }

    /**
     * Exactly one JSON object, strictly parsed (no lenient Gson extensions: no comments, no unquoted
     * strings, no second document; whitespace around it is fine), from strictly decoded UTF-8.
     */
    static JsonObject parseSingleDocument(byte[] stdout) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(stdout)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8", e);
        }
        if (text.isBlank()) {
            throw new IOException("stdout is empty");
        }
        JsonElement doc = Json.parse(text);
        if (doc == null || !doc.isJsonObject()) {
            throw new IOException("the document is not an object");
        }
        return doc.getAsJsonObject();
    }

    private void log(List<String> argv, HelperProcess.Outcome o) {
        emit(System.Logger.Level.DEBUG, "{0} -> {1} in {2} ms", String.join(" ", argv),
                o.timedOut ? "killed on timeout" : "exit " + describeExit(o.exitStatus), o.durationMillis);
        if (!o.stderr.isEmpty()) {
            // csdpdk writes to stderr only with --verbose; anything else there is worth seeing.
            String text = o.stderr.strip();
            if (text.length() > MAX_LOGGED_STDERR) {
                text = text.substring(0, MAX_LOGGED_STDERR) + "… (" + o.stderr.length() + " characters)";
            }
            emit(options.isVerbose() ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, "csdpdk stderr: {0}",
                    text);
        }
    }

    /**
     * One line, through the caller's logger (DpdkHelperOptions.logger), else the bridge's own; a caller's
     * logger that fails never costs the call its result: the line goes to the bridge's own, with why.
     */
    private void emit(System.Logger.Level level, String format, Object... params) {
        System.Logger theirs = options.getLogger();
        if (theirs != null) {
            try {
                if (theirs.isLoggable(level)) {
                    theirs.log(level, format, params);
                }
                return;
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.DEBUG, "the caller's logger failed: {0}", e);
            }
        }
        if (LOG.isLoggable(level)) {
            LOG.log(level, format, params);
        }
    }

    /** The envelope's parts, checked for shape. */
    private static final class Envelope {
        boolean ok;
        String verb;
        transient JsonObject result; // read by hand, never by Gson (AgentApiTest: no JsonElement field Gson sees)
        String code;
        String message;
        String field;
        List<String> warnings = new ArrayList<>();
        String problem;

        static Envelope read(JsonObject o) {
            Envelope e = new Envelope();
            JsonElement ok = o.get("ok");
            if (ok == null || !ok.isJsonPrimitive() || !ok.getAsJsonPrimitive().isBoolean()) {
                e.problem = "the envelope has no boolean 'ok'";
                return e;
            }
            e.ok = ok.getAsBoolean();
            JsonElement verb = o.get("verb");
            if (verb != null && !verb.isJsonNull()) {
                if (!isString(verb)) {
                    e.problem = "'verb' is not a string";
                    return e;
                }
                e.verb = verb.getAsString();
            }
            JsonElement warnings = o.get("warnings");
            if (warnings != null && !warnings.isJsonNull()) {
                if (!warnings.isJsonArray()) {
                    e.problem = "'warnings' is not a list";
                    return e;
                }
                for (JsonElement w : warnings.getAsJsonArray()) {
                    if (!isString(w)) {
                        e.problem = "a warning is not a string";
                        return e;
                    }
                    e.warnings.add(w.getAsString());
                }
            }
            if (e.ok) {
                JsonElement result = o.get("result");
                if (result == null || !result.isJsonObject()) {
                    e.problem = "ok is true but 'result' is not an object";
                    return e;
                }
                e.result = result.getAsJsonObject();
                return e;
            }
            JsonElement error = o.get("error");
            if (error == null || !error.isJsonObject()) {
                e.problem = "ok is false but 'error' is not an object";
                return e;
            }
            JsonObject err = error.getAsJsonObject();
            JsonElement code = err.get("code");
            if (!isString(code) || code.getAsString().isEmpty()) {
                e.problem = "the error has no code";
                return e;
            }
            e.code = code.getAsString();
            JsonElement message = err.get("message");
            e.message = isString(message) ? message.getAsString() : "(no message)";
            JsonElement field = err.get("field");
            e.field = isString(field) ? field.getAsString() : null;
            return e;
        }

        private static boolean isString(JsonElement el) {
            return el != null && el.isJsonPrimitive() && ((JsonPrimitive) el).isString();
        }
    }

    @Override
    public String toString() {
        return "DpdkHelperClient{" + path + ", " + options + "}";
    }
}
