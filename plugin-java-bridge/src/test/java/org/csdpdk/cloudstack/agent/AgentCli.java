package org.csdpdk.cloudstack.agent;

import com.cloud.agent.api.to.DpdkTO;
import com.cloud.agent.api.to.NicTO;
import com.cloud.exception.InternalErrorException;
import com.cloud.hypervisor.kvm.resource.LibvirtComputingResource;
import com.cloud.hypervisor.kvm.resource.LibvirtVMDef.InterfaceDef;
import com.cloud.hypervisor.kvm.resource.OvsVifDriver;
import com.cloud.hypervisor.kvm.resource.wrapper.AgentFlows;
import com.cloud.network.Networks;
import com.google.gson.JsonObject;
import com.google.gson.JsonStreamParser;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import javax.naming.ConfigurationException;

/**
 * A CloudStack KVM agent, as far as csdpdk's VIF driver can tell: the model's LibvirtComputingResource
 * (src/agent-model) configured once, as the agent does at its start, then the agent's commands, one per
 * line on stdin, each answered on stdout and ended by a line {@code END <status>}. TEST CODE: it stands in
 * for CloudStack's agent, whose jars cannot be downloaded here (docs/cloudstack-agent.md says so).
 *
 * <pre>
 * start [--os OS] [--adapter A] [--detail K=V]... NIC...   StartCommand's createVifs: the interfaces' XML
 * start-many DIR [OPTIONS] NIC...                         StartCommands of one VM per NIC at once: DIR/MAC.ifaces
 * stop FILE|none [MAPPING_JSON_FILE]                      StopCommand: unplug the interfaces of FILE (the
 *                                                          domain's XML taken before it stopped); then the
 *                                                          stock unplug's del-ports and interfaces in this
 *                                                          command; none: no domain, the map's ports to
 *                                                          removeDpdkPort (a failed migration's cleanup)
 * prepare [--detail K=V]... NIC...                         PrepareForMigration: the MAC -> DpdkTO map (JSON)
 * rewrite FILE MAPPING_JSON_FILE                           Migrate's replaceDpdkInterfaces: the new XML
 * cleanup-source FILE                                      after a migration: unplug the source's interfaces
 * NIC = MAC,NIC_UUID,TRAFFIC_LABEL,VLAN[,nodpdk]
 * </pre>
 *
 * Status 0 ok, 2 the agent's command failed (the exception on stdout), 3 configure failed (the process
 * exits), 64 a bad command line.
 */
public final class AgentCli {
    private AgentCli() {
    }

    public static void main(String[] args) throws Exception {
        Logger root = Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new SimpleFormatter());
        console.setLevel(Level.ALL);
        root.addHandler(console);
        System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s %3$s: %5$s%6$s%n");
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        LibvirtComputingResource resource = new LibvirtComputingResource();
        try {
            resource.configure(new HashMap<>());
        } catch (ConfigurationException e) {
            out.println("ConfigurationException: " + e.getMessage());
            out.println("END 3");
            System.exit(3);
        }
        out.println("configured " + resource.getVifDriver().getClass().getName());
        out.println("END 0");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null;) {
            if (line.isBlank()) {
                continue;
            }
            int status;
            try {
                status = run(resource, List.of(line.trim().split("\\s+")), out);
            } catch (InternalErrorException e) {
                out.println("InternalErrorException: " + e.getMessage());
                status = 2;
            } catch (RuntimeException | org.libvirt.LibvirtException e) {
                out.println(e.getClass().getName() + ": " + e.getMessage());
                status = 2;
            }
            out.println("END " + status);
        }
    }

    private static int run(LibvirtComputingResource r, List<String> words, PrintStream out) throws Exception {
        String cmd = words.get(0);
        Map<String, String> extra = new LinkedHashMap<>();
        String os = "Debian GNU/Linux 12 (64-bit)";
        String adapter = "";
        List<NicTO> nics = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--detail")) {
                String kv = words.get(++i);
                extra.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            } else if (w.equals("--os")) {
                os = words.get(++i).replace('_', ' ');
            } else if (w.equals("--adapter")) {
                adapter = words.get(++i);
            } else if (w.equals("--detail-file")) {
                String kf = words.get(++i);
                extra.put(kf.substring(0, kf.indexOf('=')),
                        Files.readString(Path.of(kf.substring(kf.indexOf('=') + 1))).strip());
            } else if (cmd.equals("start") || cmd.equals("prepare") || cmd.equals("start-many") && !rest.isEmpty()) {
                nics.add(nic(w));
            } else {
                rest.add(w);
            }
        }
        switch (cmd) {
        case "start":
            out.print(startXml(r, nics, os, adapter, extra));
            return 0;
        case "start-many": {
            // StartCommands of several VMs at once (the agent runs each in its own thread): one VM per NIC.
            Path dir = Path.of(rest.get(0));
            Map<String, java.util.concurrent.Future<String>> runs = new LinkedHashMap<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(nics.size());
            try {
                for (NicTO nic : nics) {
                    final String finalOs = os;
                    final String finalAdapter = adapter;
                    runs.put(nic.getMac(), pool.submit(() -> {
                        Files.writeString(dir.resolve(nic.getMac() + ".ifaces"),
                                startXml(r, List.of(nic), finalOs, finalAdapter, extra));
                        return "ok";
                    }));
                }
                int failed = 0;
                for (Map.Entry<String, java.util.concurrent.Future<String>> e : runs.entrySet()) {
                    try {
                        out.println(e.getKey() + " " + e.getValue().get());
                    } catch (java.util.concurrent.ExecutionException x) {
                        out.println(e.getKey() + " " + x.getCause());
                        failed++;
                    }
                }
                return failed == 0 ? 0 : 2;
            } finally {
                pool.shutdown();
            }
        }
        case "stop":
        case "cleanup-source": {
            // stop XML [MAPPING]: XML "none" is a domain that is not there (a failed migration's cleanup
            // on the destination, with the map of its PrepareForMigration).
            String xml = rest.get(0).equals("none") ? null : Files.readString(Path.of(rest.get(0)));
            List<InterfaceDef> ifaces = cmd.equals("stop")
                    ? AgentFlows.stop(r, xml, rest.size() > 1 ? mapping(Path.of(rest.get(1))) : null)
                    : AgentFlows.migrateSourceCleanup(r, xml);
            for (InterfaceDef def : ifaces) {
                out.println("unplugged " + def.getDpdkSourcePort() + " " + def.getDpdkOvsPath() + " "
                        + def.getInterfaceMode());
            }
            synchronized (OvsVifDriver.STOCK_DEL_PORTS) {
                out.println("stock del-port " + OvsVifDriver.STOCK_DEL_PORTS); // this command's
                OvsVifDriver.STOCK_DEL_PORTS.clear();
            }
            synchronized (OvsVifDriver.STOCK_UNPLUGS) {
                out.println("stock unplug " + OvsVifDriver.STOCK_UNPLUGS); // this command's
                OvsVifDriver.STOCK_UNPLUGS.clear();
            }
            return 0;
        }
        case "prepare": {
            JsonObject map = new JsonObject();
            for (Map.Entry<String, DpdkTO> e : AgentFlows.prepareForMigration(r, nics, extra).entrySet()) {
                JsonObject to = new JsonObject();
                to.addProperty("path", e.getValue().getPath());
                to.addProperty("port", e.getValue().getPort());
                to.addProperty("mode", e.getValue().getMode());
                map.add(e.getKey(), to);
            }
            out.println(map);
            return 0;
        }
        case "rewrite": {
            String xml = Files.readString(Path.of(rest.get(0)));
            out.println(AgentFlows.replaceDpdkInterfaces(xml, mapping(Path.of(rest.get(1)))));
            return 0;
        }
        default:
            out.println("unknown command " + cmd);
            return 64;
        }
    }

    /** The MAC -> DpdkTO map that "prepare" printed (PrepareForMigration's answer), from a file. */
    private static Map<String, DpdkTO> mapping(Path file) throws java.io.IOException {
        // Gson members 1.7.2 has too (tests/integration/cloudstack-agent.sh runs with AGENT_GSON).
        JsonObject map = new JsonStreamParser(Files.readString(file)).next().getAsJsonObject();
        Map<String, DpdkTO> mapping = new HashMap<>();
        for (Map.Entry<String, com.google.gson.JsonElement> entry : map.entrySet()) {
            JsonObject to = entry.getValue().getAsJsonObject();
            mapping.put(entry.getKey(), new DpdkTO(to.get("path").getAsString(), to.get("port").getAsString(),
                    to.get("mode").getAsString()));
        }
        return mapping;
    }

    /** A StartCommand's createVifs: the XML of the InterfaceDefs, as the agent puts them in the domain. */
    private static String startXml(LibvirtComputingResource r, List<NicTO> nics, String os, String adapter,
            Map<String, String> extra) throws Exception {
        StringBuilder xml = new StringBuilder();
        for (InterfaceDef def : AgentFlows.start(r, nics, os, adapter, extra)) {
            xml.append(def);
        }
        return xml.toString();
    }

    /** MAC,NIC_UUID,TRAFFIC_LABEL,VLAN[,nodpdk]: a Guest NIC on a VLAN, DPDK-enabled unless nodpdk. */
    private static NicTO nic(String spec) {
        String[] f = spec.split(",");
        NicTO nic = new NicTO();
        nic.setMac(f[0]);
        nic.setUuid(f[1]);
        nic.setName(f[2]);
        nic.setType(Networks.TrafficType.Guest);
        nic.setBroadcastType(Networks.BroadcastDomainType.Vlan);
        nic.setBroadcastUri(URI.create("vlan://" + f[3]));
        nic.setDpdkEnabled(f.length < 5 || !f[4].equals("nodpdk"));
        return nic;
    }
}
