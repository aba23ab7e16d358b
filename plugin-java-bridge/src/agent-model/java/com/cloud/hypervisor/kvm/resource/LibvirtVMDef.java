package com.cloud.hypervisor.kvm.resource;

/** Model of K/LibvirtVMDef.java: only InterfaceDef, the XML of one NIC. */
public class LibvirtVMDef {
    /** Model of LibvirtVMDef.InterfaceDef (l.1352 on main; no DPDK change from 4.18.0.0). */
    public static class InterfaceDef {
        public enum GuestNetType {
            BRIDGE("bridge"), DIRECT("direct"), NETWORK("network"), USER("user"), ETHERNET("ethernet"),
            INTERNAL("internal"), VHOSTUSER("vhostuser");

            private final String type;

            GuestNetType(String type) {
                this.type = type;
            }

            @Override
            public String toString() {
                return type;
            }
        }

        public enum NicModel {
            E1000("e1000"), VIRTIO("virtio"), RTL8139("rtl8139"), NE2KPCI("ne2k_pci"), VMXNET3("vmxnet3");

            private final String model;

            NicModel(String model) {
                this.model = model;
            }

            @Override
            public String toString() {
                return model;
            }
        }

        private GuestNetType netType;
        private String sourceName;
        private String networkName;
        private String macAddr;
        private NicModel model;
        private Integer networkRateKBps;
        private String virtualPortType;
        private int vlanTag = -1;
        private String dpdkSourcePath;
        private String dpdkSourcePort;
        private String dpdkExtraLines;
        private String interfaceMode;
        private Integer multiQueueNumber;

        public void defBridgeNet(String brName, String targetBrName, String macAddr, NicModel model,
                Integer networkRateKBps) {
            this.netType = GuestNetType.BRIDGE;
            this.sourceName = brName;
            this.networkName = targetBrName;
            this.macAddr = macAddr;
            this.model = model;
            this.networkRateKBps = networkRateKBps;
        }

        /** Stock: the path and the port are concatenated with nothing between them. */
        public void defDpdkNet(String dpdkSourcePath, String dpdkPort, String macAddress, NicModel model,
                Integer networkRateKBps, String extra, String interfaceMode) {
            this.netType = GuestNetType.VHOSTUSER;
            this.dpdkSourcePath = dpdkSourcePath;
            this.dpdkSourcePort = dpdkPort;
            this.macAddr = macAddress;
            this.model = model;
            this.networkRateKBps = networkRateKBps;
            this.dpdkExtraLines = extra;
            this.interfaceMode = interfaceMode;
        }

        public GuestNetType getNetType() {
            return netType;
        }

        public String getBrName() {
            return sourceName;
        }

        public String getDevName() {
            return networkName;
        }

        public void setDevName(String networkName) {
            this.networkName = networkName;
        }

        public String getMacAddress() {
            return macAddr;
        }

        public NicModel getModel() {
            return model;
        }

        public void setVirtualPortType(String virtualPortType) {
            this.virtualPortType = virtualPortType;
        }

        public String getVirtualPortType() {
            return virtualPortType;
        }

        public void setVlanTag(int vlanTag) {
            this.vlanTag = vlanTag;
        }

        public int getVlanTag() {
            return vlanTag;
        }

        public String getDpdkSourcePort() {
            return dpdkSourcePort;
        }

        public void setDpdkSourcePort(String port) {
            this.dpdkSourcePort = port;
        }

        public String getDpdkOvsPath() {
            return dpdkSourcePath;
        }

        public void setDpdkOvsPath(String path) {
            this.dpdkSourcePath = path;
        }

        public String getInterfaceMode() {
            return interfaceMode;
        }

        public void setInterfaceMode(String mode) {
            this.interfaceMode = mode;
        }

        public void setMultiQueueNumber(Integer multiQueueNumber) {
            this.multiQueueNumber = multiQueueNumber;
        }

        /** The stock getContent/toString, for the two types the model needs, in the stock order. */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append("<interface type='").append(netType).append("'>\n");
            if (netType == GuestNetType.BRIDGE) {
                b.append("<source bridge='").append(sourceName).append("'/>\n");
            } else if (netType == GuestNetType.VHOSTUSER) {
                b.append("<source type='unix' path='").append(dpdkSourcePath).append(dpdkSourcePort)
                        .append("' mode='").append(interfaceMode).append("'/>\n");
            }
            if (networkName != null) {
                b.append("<target dev='").append(networkName).append("'/>\n");
            }
            if (macAddr != null) {
                b.append("<mac address='").append(macAddr).append("'/>\n");
            }
            if (model != null) {
                b.append("<model type='").append(model).append("'/>\n");
            }
            if (model == NicModel.VIRTIO && multiQueueNumber != null && multiQueueNumber > 1) {
                b.append("<driver queues='").append(multiQueueNumber).append("'/>\n");
            }
            if (networkRateKBps != null && networkRateKBps > 0) {
                b.append("<bandwidth>\n<inbound average='").append(networkRateKBps).append("' peak='")
                        .append(networkRateKBps).append("'/>\n<outbound average='").append(networkRateKBps)
                        .append("' peak='").append(networkRateKBps).append("'/>\n</bandwidth>\n");
            }
            if (virtualPortType != null) {
                b.append("<virtualport type='").append(virtualPortType).append("'/>\n");
            }
            if (vlanTag != -1) {
                b.append("<vlan trunk='no'>\n<tag id='").append(vlanTag).append("'/>\n</vlan>\n");
            }
            if (dpdkExtraLines != null && !dpdkExtraLines.isBlank()) {
                b.append(dpdkExtraLines);
            }
            if (netType != GuestNetType.VHOSTUSER && netType != GuestNetType.USER) {
                b.append("<link state='up'/>\n");
            }
            b.append("</interface>\n");
            return b.toString();
        }
    }
}
