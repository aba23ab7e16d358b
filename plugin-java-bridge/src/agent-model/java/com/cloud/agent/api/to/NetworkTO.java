package com.cloud.agent.api.to;

import com.cloud.network.Networks.BroadcastDomainType;
import com.cloud.network.Networks.TrafficType;

import java.net.URI;

/** Model of api/src/main/java/com/cloud/agent/api/to/NetworkTO.java: what a VIF driver reads. */
public class NetworkTO {
    protected String uuid;
    protected String mac;
    protected BroadcastDomainType broadcastType;
    protected TrafficType type;
    protected URI broadcastUri;
    protected String name;

    public NetworkTO() {
    }

    public String getUuid() {
        return uuid;
    }

    public void setUuid(String uuid) {
        this.uuid = uuid;
    }

    public String getMac() {
        return mac;
    }

    public void setMac(String mac) {
        this.mac = mac;
    }

    public BroadcastDomainType getBroadcastType() {
        return broadcastType;
    }

    public void setBroadcastType(BroadcastDomainType broadcastType) {
        this.broadcastType = broadcastType;
    }

    public TrafficType getType() {
        return type;
    }

    public void setType(TrafficType type) {
        this.type = type;
    }

    public URI getBroadcastUri() {
        return broadcastUri;
    }

    public void setBroadcastUri(URI broadcastUri) {
        this.broadcastUri = broadcastUri;
    }

    /** The traffic label (CloudStack's name of the physical network's bridge). */
    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
