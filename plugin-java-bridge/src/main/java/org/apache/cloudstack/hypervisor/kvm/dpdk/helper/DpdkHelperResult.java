package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What every successful call returns besides its own fields: the envelope's warnings, csdpdk's exit
 * status (0, or 1 for a negative verdict), its stderr (kept apart from the result, empty unless
 * {@code --verbose}), how long it took, and the raw {@code result} object for fields this version of
 * the bridge does not know yet.
 *
 * <p>The fields here are {@code transient}: Gson fills the subclasses' fields from the envelope's
 * {@code result}, the client sets these afterwards.
 */
public abstract class DpdkHelperResult {
    private transient String verb;
    private transient List<String> warnings = Collections.emptyList();
    private transient int exitStatus;
    private transient String stderr = "";
    private transient long durationMillis;
    private transient JsonObject rawResult = new JsonObject();

    /** A list Gson may have set to null (JSON null) as an empty one. */
    protected static <T> List<T> nonNull(List<T> list) {
        return list == null ? Collections.emptyList() : list;
    }

    /** A map Gson may have set to null (JSON null) as an empty one. */
    protected static <K, V> Map<K, V> nonNull(Map<K, V> map) {
        return map == null ? Collections.emptyMap() : map;
    }

    void setEnvelope(String verb, List<String> warnings, int exitStatus, String stderr, long durationMillis,
                     JsonObject rawResult) {
        this.verb = verb;
        this.warnings = Collections.unmodifiableList(warnings);
        this.exitStatus = exitStatus;
        this.stderr = stderr;
        this.durationMillis = durationMillis;
        this.rawResult = rawResult;
    }

    /**
     * The member {@code name} of the raw result, a copy (JsonNull for JSON null; null when absent): for
     * the members of type JsonElement, which Gson's reflection does not fill on every Gson version.
     */
    protected JsonElement rawMember(String name) {
        return Json.copy(rawResult.get(name));
    }

    /** The verb that produced this result. */
    public String getVerb() {
        return verb;
    }

    /** The envelope's warnings, for the agent's log. */
    public List<String> getWarnings() {
        return warnings;
    }

    /** 0, or 1 for a negative verdict (capabilities: not capable; migrate-prepare/check: not eligible). */
    public int getExitStatus() {
        return exitStatus;
    }

    /** csdpdk's stderr: empty unless {@link DpdkHelperOptions.Builder#verbose(boolean)}. */
    public String getStderr() {
        return stderr;
    }

    /** Wall-clock time of the call, process start to exit. */
    public long getDurationMillis() {
        return durationMillis;
    }

    /** A copy of the envelope's {@code result} object, as csdpdk wrote it. */
    public JsonObject getRawResult() {
        return (JsonObject) Json.copy(rawResult);
    }

    /** The envelope's {@code result} object as JSON text (e.g. to pass a destination report on). */
    public String getRawResultJson() {
        return Json.text(rawResult);
    }
}
