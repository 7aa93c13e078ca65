package org.sipedge.proxy.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DropCounterTest {
    @Test
    void readsTheKernelsUdpReceiveBufferErrors() {
        String snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
                + "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors\n"
                + "Udp: 5939522 27704 102480 6069812 102481 0 0\n"
                + "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors\nUdpLite: 0 0 0 0 9\n";
        assertEquals(102481, DropCounter.rcvbufErrors(snmp));
        assertEquals(0, DropCounter.rcvbufErrors("Udp: InDatagrams\nUdp: 5\n"));
        assertEquals(0, DropCounter.rcvbufErrors(""));
    }

    @Test
    void addsTheStacksOwnDropsAndNeverGoesBack() {
        long[] stack = {5};
        DropCounter c = new DropCounter(() -> stack[0]);
        long first = c.getAsLong();
        assertTrue(first >= 5);
        stack[0] = 9;
        assertTrue(c.getAsLong() >= first + 4);
    }
}
