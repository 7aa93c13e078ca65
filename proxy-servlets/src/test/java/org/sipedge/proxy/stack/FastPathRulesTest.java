package org.sipedge.proxy.stack;

import org.sipedge.proxy.core.ShortLivedTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.PushParams;
import org.sipedge.registrar.Transport;

class FastPathRulesTest {
    private static Binding binding(String contact, Transport t, boolean ws, List<String> path, String instance, int regId,
                                   String connection) {
        return new Binding(contact, null, Long.MAX_VALUE, "c", 1, instance, regId, path, t, "127.0.0.9:5999",
                connection, "n1", ws, PushParams.NONE, 0, "z9hG4bK1");
    }

    private static Binding udp(String contact) {
        return binding(contact, Transport.UDP, false, List.of(), null, 0, null);
    }

    @Test
    void oneplainUdpBindingIsTakenAndTheContactIsTheTarget() {
        FastPathRules.UdpTarget t = FastPathRules.target(List.of(udp("<sip:bob@127.0.0.3:5072>")));
        assertNotNull(t);
        assertEquals("127.0.0.3", t.host());
        assertEquals(5072, t.port());
        assertEquals("sip:bob@127.0.0.3:5072", t.requestUri());
    }

    @Test
    void everythingTheContainerMustDecideIsDeclined() {
        assertNull(FastPathRules.target(List.of()), "no binding: 404/480/push are the container's");
        assertNull(FastPathRules.target(List.of(udp("sip:a@127.0.0.3"), udp("sip:b@127.0.0.4"))), "forking");
        assertNull(FastPathRules.target(List.of(binding("sip:a@127.0.0.3", Transport.TCP, false, List.of(), null, 0, "tcp:x"))));
        assertNull(FastPathRules.target(List.of(binding("sip:a@127.0.0.3;transport=ws", Transport.WS, true, List.of(), null, 0, "ws:x"))));
        assertNull(FastPathRules.target(List.of(binding("sip:a@127.0.0.3", Transport.UDP, false, List.of("<sip:p@127.0.0.7;lr>"), null, 0, null))), "Path");
        assertNull(FastPathRules.target(List.of(binding("sip:a@127.0.0.3", Transport.UDP, false, List.of(), "<urn:uuid:1>", 1, null))), "Outbound flow");
    }

    @ParameterizedTest
    @CsvSource({
            "sip:bob@127.0.0.3, 127.0.0.3, 5060",
            "sip:bob@127.0.0.3:5070;transport=udp, 127.0.0.3, 5070",
            "sip:127.0.0.3:5070, 127.0.0.3, 5070",
            "<sip:bob;phone-context=x@127.0.0.3:5071;ob>, 127.0.0.3, 5071",
    })
    void contactsWithIpLiterals(String contact, String host, int port) {
        FastPathRules.UdpTarget t = FastPathRules.udpTarget(contact);
        assertNotNull(t, contact);
        assertEquals(host, t.host());
        assertEquals(port, t.port());
    }

    @ParameterizedTest
    @CsvSource({
            "sip:bob@phone.example.com",       // a name: never resolved from a request
            "sip:bob@127.0.0.3;transport=tcp",
            "sips:bob@127.0.0.3",
            "sip:bob@127.0.0.3;maddr=127.0.0.9",
            "sip:bob@[::1]:5060",
            "tel:+123",
            "sip:bob@127.0.0.3:99999",
    })
    void contactsTheFastPathWillNotUse(String contact) {
        assertNull(FastPathRules.udpTarget(contact), contact);
    }

    @Test
    void branchesAreStableMarkedAndDistinct() {
        String a = FastPathRules.branchFor("z9hG4bK-1", 42);
        assertEquals(a, FastPathRules.branchFor("z9hG4bK-1", 42), "a retransmission or CANCEL gets the same branch");
        assertNotEquals(a, FastPathRules.branchFor("z9hG4bK-2", 42));
        assertNotEquals(a, FastPathRules.branchFor("z9hG4bK-1", 43), "another node's branch differs");
        assertTrue(a.startsWith("z9hG4bK-sefp-"));
    }

    @Test
    void responsesGoToReceivedAndRport() {
        assertEquals(new FastPathRules.UdpTarget("127.0.0.2", 40000, null),
                FastPathRules.responseHop("127.0.0.2", 40000, "10.0.0.1", 5060));
        assertEquals(new FastPathRules.UdpTarget("127.0.0.2", 5062, null),
                FastPathRules.responseHop(null, -1, "127.0.0.2", 5062));
        assertEquals(5060, FastPathRules.responseHop(null, -1, "127.0.0.2", -1).port());
        assertNull(FastPathRules.responseHop(null, -1, "caller.example.com", 5060), "no DNS for responses either");
    }

    @Test
    void shortLivedTableExpiresAndRefusesBeyondItsLimit() {
        AtomicLong now = new AtomicLong();
        ShortLivedTable<String, String> t = new ShortLivedTable<>(1000, 2, now::get);
        assertTrue(t.put("a", "1"));
        assertTrue(t.put("b", "2"));
        assertFalse(t.put("c", "3"), "full: refused, not grown");
        assertTrue(t.put("a", "1b"), "an existing key may be refreshed");
        assertEquals("1b", t.get("a"));
        now.addAndGet(1_000_000_001L);
        assertNull(t.get("a"), "expired");
        assertTrue(t.put("c", "3"), "expired entries are swept to make room");
        assertEquals(1, t.size());
    }
}
