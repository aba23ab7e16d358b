package com.cloud.network;

import java.net.URI;

/** Model of api/src/main/java/com/cloud/network/Networks.java: the two enums a VIF driver reads. */
public class Networks {
    public enum TrafficType {
        None, Public, Guest, Storage, Management, Control, Vpn
    }

    public enum BroadcastDomainType {
        Native, Vlan, Vswitch, LinkLocal, Vnet, Storage, Lswitch, Mido, Pvlan, Vxlan, UnDecided, OpenDaylight, TUNGSTEN, NSX, Netris;

        /** vlan://100 -> "100" (the URI's authority, else its scheme-specific part), as the stock getValue. */
        public static String getValue(URI uri) {
            if (uri == null) {
                return null;
            }
            String authority = uri.getAuthority();
            return authority != null ? authority : uri.getSchemeSpecificPart();
        }
    }
}
