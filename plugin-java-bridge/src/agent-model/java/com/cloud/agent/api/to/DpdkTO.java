package com.cloud.agent.api.to;

/** Model of api/src/main/java/com/cloud/agent/api/to/DpdkTO.java: one MAC's entry of the migration map. */
public class DpdkTO {
    private String path;
    private String port;
    private String mode;

    public DpdkTO() {
    }

    public DpdkTO(String path, String port, String mode) {
        this.path = path;
        this.port = port;
        this.mode = mode;
    }

    public String getPath() {
        return path;
    }

    public String getPort() {
        return port;
    }

    public String getMode() {
        return mode;
    }
}
