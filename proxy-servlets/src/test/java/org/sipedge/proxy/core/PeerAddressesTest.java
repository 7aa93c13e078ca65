package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerAddressesTest {
    @Test
    void blocksOfBothFamiliesAndBareAddresses() {
        PeerAddresses p = PeerAddresses.parse("10.0.0.0/8, 192.0.2.7 2001:db8::/32,127.0.0.2/31");
        assertTrue(p.contains("10.255.1.2"));
        assertFalse(p.contains("11.0.0.1"));
        assertTrue(p.contains("192.0.2.7"));
        assertFalse(p.contains("192.0.2.8"));
        assertTrue(p.contains("2001:db8:1::5"));
        assertTrue(p.contains("[2001:db8::1]"));
        assertFalse(p.contains("2001:db9::1"));
        assertTrue(p.contains("127.0.0.3"), "/31 covers .2 and .3");
        assertFalse(p.contains("127.0.0.4"));
        assertTrue(p.contains("::ffff:10.1.1.1"), "an IPv4-mapped source counts as IPv4");
    }

    @Test
    void oddPrefixesMaskOnlyTheirBits() {
        PeerAddresses p = PeerAddresses.parse("172.16.0.0/12");
        assertTrue(p.contains("172.31.255.255"));
        assertFalse(p.contains("172.32.0.0"));
        assertTrue(PeerAddresses.parse("0.0.0.0/0").contains("203.0.113.9"));
    }

    @Test
    void anythingButAnAddressIsRefusedAndNeverMatched() {
        assertThrows(IllegalArgumentException.class, () -> PeerAddresses.parse("trunk.example.com"));
        assertThrows(IllegalArgumentException.class, () -> PeerAddresses.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> PeerAddresses.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> PeerAddresses.parse("300.1.1.1"));
        assertThrows(IllegalArgumentException.class, () -> PeerAddresses.parse("abc:def"));
        PeerAddresses p = PeerAddresses.parse("10.0.0.0/8");
        assertFalse(p.contains("localhost"));
        assertFalse(p.contains(null));
        assertTrue(PeerAddresses.parse(" ").isEmpty());
    }
}
