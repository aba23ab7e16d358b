package com.cloud.agent.api.to;

/** Model of api/src/main/java/com/cloud/agent/api/to/NicTO.java: getUuid() is the NIC's UUID. */
public class NicTO extends NetworkTO {
    int deviceId;
    Integer networkRateMbps;
    String nicUuid;
    boolean dpdkEnabled;
    Integer mtu;

    public NicTO() {
    }

    public int getDeviceId() {
        return deviceId;
    }

    public void setDeviceId(int deviceId) {
        this.deviceId = deviceId;
    }

    public Integer getNetworkRateMbps() {
        return networkRateMbps;
    }

    public void setNetworkRateMbps(Integer networkRateMbps) {
        this.networkRateMbps = networkRateMbps;
    }

    @Override
    public String getUuid() {
        return nicUuid;
    }

    @Override
    public void setUuid(String uuid) {
        this.nicUuid = uuid;
    }

    public boolean isDpdkEnabled() {
        return dpdkEnabled;
    }

    public void setDpdkEnabled(boolean dpdkEnabled) {
        this.dpdkEnabled = dpdkEnabled;
    }

    public Integer getMtu() {
        return mtu;
    }

    public void setMtu(Integer mtu) {
        this.mtu = mtu;
    }
}
