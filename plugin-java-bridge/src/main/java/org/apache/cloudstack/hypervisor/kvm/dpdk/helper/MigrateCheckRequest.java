package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code migrate-check}, on the source: the VM's live {@code domain_xml} (required), the destination's
 * libvirt URI (optional: then csdpdk asks the destination's libvirt about NUMA and free hugepages), and
 * the destination's report (optional: the {@code result} of its {@code migrate-prepare} or
 * {@code capabilities}).
 */
public class MigrateCheckRequest implements Json.Request {
    private static final Gson GSON = new Gson();

    private String domain_xml;
    private String destination;
    private transient JsonElement destination_report;

    public MigrateCheckRequest() {
    }

    public MigrateCheckRequest(String domainXml) {
        this.domain_xml = domainXml;
    }

    public String getDomainXml() {
        return domain_xml;
    }

    public MigrateCheckRequest setDomainXml(String domainXml) {
        this.domain_xml = domainXml;
        return this;
    }

    public String getDestination() {
        return destination;
    }

    /** The destination's libvirt URI, e.g. {@code qemu+tls://10.0.0.2/system}. */
    public MigrateCheckRequest setDestination(String destination) {
        this.destination = destination;
        return this;
    }

    public JsonElement getDestinationReport() {
        return destination_report;
    }

    /** The destination's result, as the object csdpdk wrote ({@link DpdkHelperResult#getRawResult()}). */
    public MigrateCheckRequest setDestinationReport(JsonElement report) {
        this.destination_report = report;
        return this;
    }

    /** The destination's result as JSON text ({@link DpdkHelperResult#getRawResultJson()}), e.g. carried in an answer. */
    public MigrateCheckRequest setDestinationReportJson(String reportJson) {
        this.destination_report = reportJson == null ? null : Json.parseTrusted(reportJson);
        return this;
    }

    /**
     * The report CloudStack can carry: its MigrateCommand has only the destination's MAC → DpdkTO map,
     * which exists only if the destination's {@code prepareForMigration} found it eligible. This sends
     * {@code {"eligible": true, "mapping": ...}}, so that csdpdk checks every vhost-user MAC of the
     * domain is mapped.
     */
    public MigrateCheckRequest setDestinationMapping(Map<String, DpdkTo> mapping) {
        if (mapping == null) {
            this.destination_report = null;
            return this;
        }
        JsonObject report = new JsonObject();
        report.addProperty("eligible", true);
        report.add("mapping", GSON.toJsonTree(new LinkedHashMap<>(mapping)));
        this.destination_report = report;
        return this;
    }

    /** Gson's reflection for the strings, the report as it is (Gson 1.7.2 cannot write a JsonElement field). */
    @Override
    public JsonElement toJsonTree() {
        JsonObject tree = GSON.toJsonTree(this).getAsJsonObject();
        if (destination_report != null) {
            tree.add("destination_report", destination_report);
        }
        return tree;
    }

    /** The destination's result object, as returned by this bridge on the destination. */
    public MigrateCheckRequest setDestinationReport(DpdkHelperResult report) {
        this.destination_report = report == null ? null : report.getRawResult();
        return this;
    }
}
