#!/usr/bin/env python3
"""Frame clock: prints one line per Ethernet frame received on an interface.

    frames.py IFACE

Once bound it says "frames.py: ready" on stderr. Each line on stdout is
"SECONDS SOURCE-MAC ETHERTYPE ECHO", SECONDS since the epoch with
microseconds (the kernel's receive time stamp, SO_TIMESTAMPNS), ECHO the
identifier and sequence number of an ICMPv6 echo request ("ID/SEQ": one
ping process numbers its frames, so a hole is a lost frame), else "-";
flushed at once. Frames the host itself sends out of IFACE are left out. The tests run
it on the internal port of an Open vSwitch bridge, inside ovs-vswitchd's
network namespace: every frame the switch floods there (a guest's multicast)
is counted and timed where it crossed the switch.
"""
import socket
import struct
import sys

ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = 35
PACKET_OUTGOING = 4


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: frames.py IFACE")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((sys.argv[1], 0))
    sys.stderr.write("frames.py: ready on %s\n" % sys.argv[1])
    sys.stderr.flush()
    out = sys.stdout
    while True:
        data, ancillary, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(16))
        if addr[2] == PACKET_OUTGOING or len(data) < 14:
            continue
        stamp = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                sec, nsec = struct.unpack("qq", value[:16])
                stamp = "%d.%06d" % (sec, nsec // 1000)
        echo = "-"
        # IPv6 (next header ICMPv6, 58) carrying an echo request (type 128).
        if data[12:14] == b"\x86\xdd" and len(data) >= 62 and data[20] == 58 and data[54] == 128:
            echo = "%d/%d" % struct.unpack("!HH", data[58:62])
        out.write("%s %s %s %s\n" % (stamp or "0", data[6:12].hex(":"), data[12:14].hex(), echo))
        out.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
