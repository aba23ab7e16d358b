package org.apache.cloudstack.hypervisor.kvm.dpdk.helper;

import java.util.Objects;

/**
 * Where one vhost-user NIC's socket is on the migration destination, in the shape of CloudStack's
 * {@code com.cloud.agent.api.to.DpdkTO}: {@code path} (the socket directory), {@code port}
 * ({@code csdpdk-N}, also the libvirt {@code <target dev>}) and {@code mode} (libvirt's
 * {@code <source mode>}: {@code client} or {@code server}). A map of these by MAC is the
 * {@code mapping} of {@code migrate-prepare} and {@code migrate-rewrite}; converting to and from
 * CloudStack's class is field for field.
 */
public class DpdkTo {
    private String path;
    private String port;
    private String mode;

    public DpdkTo() {
    }

    public DpdkTo(String path, String port, String mode) {
        this.path = path;
        this.port = port;
        this.mode = mode;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getPort() {
        return port;
    }

    public void setPort(String port) {
        this.port = port;
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    /** {@code path/port}, with a single {@code /} between them. */
    public String getSocketPath() {
        if (path == null || port == null) {
            return null;
        }
        String dir = path;
        while (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        return dir.endsWith("/") ? dir + port : dir + "/" + port;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DpdkTo)) {
            return false;
        }
        DpdkTo other = (DpdkTo) o;
        return Objects.equals(path, other.path) && Objects.equals(port, other.port)
                && Objects.equals(mode, other.mode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, port, mode);
    }

    @Override
    public String toString() {
        return "DpdkTo{path=" + path + ", port=" + port + ", mode=" + mode + "}";
    }
}
