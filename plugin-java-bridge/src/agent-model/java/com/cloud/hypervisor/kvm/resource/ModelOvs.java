package com.cloud.hypervisor.kvm.resource;

import com.cloud.utils.exception.CloudRuntimeException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The model's only system call: the stock driver's {@code ovs-vsctl list-br}, on the test host's OVSDB. */
final class ModelOvs {
    private ModelOvs() {
    }

    static List<String> listBridges() {
        String db = System.getProperty("cloudstack.model.ovsdb");
        try {
            Process p = new ProcessBuilder(Arrays.asList("ovs-vsctl", "--timeout=10", "--db=" + db, "list-br"))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new CloudRuntimeException("model: ovs-vsctl list-br: " + out.strip());
            }
            return Arrays.stream(out.split("\n")).filter(s -> !s.isBlank()).collect(Collectors.toList());
        } catch (IOException e) {
            throw new CloudRuntimeException("model: ovs-vsctl list-br", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudRuntimeException("model: interrupted", e);
        }
    }
}
