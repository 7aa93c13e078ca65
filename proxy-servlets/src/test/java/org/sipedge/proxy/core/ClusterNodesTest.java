package org.sipedge.proxy.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.Transport;
import org.sipedge.store.MemoryStore;

class ClusterNodesTest {
    private final MemoryStore store = new MemoryStore();
    private final ClusterNodes a = new ClusterNodes(store.map(ClusterNodes.MAP_NAME), "node-a",
            () -> "sip:10.0.0.1:5060;transport=tcp");
    private final ClusterNodes b = new ClusterNodes(store.map(ClusterNodes.MAP_NAME), "node-b", () -> null);

    @AfterEach
    void close() {
        store.close();
    }

    private static Binding wsBinding(String node, List<String> path) {
        return new Binding("sip:x@127.0.0.1:40000;transport=ws", null, Long.MAX_VALUE, "c", 1, "urn:uuid:1", 1, path,
                Transport.WS, "127.0.0.1:40000", "ws:127.0.0.1:40000", node, true, null, 0, "z9hG4bK1");
    }

    @Test
    void aBindingOfAnotherNodeIsReachedThroughItsOwnerAheadOfItsPath() {
        assertTrue(b.resolve("sip:bob@example.com", wsBinding("node-a", List.of())).isEmpty(),
                "owner not announced (yet, or gone): unreachable");
        assertEquals("sip:10.0.0.1:5060;transport=tcp", a.announce());
        assertEquals(null, b.announce(), "listeners unknown yet: nothing announced");
        Binding via = b.resolve("sip:bob@example.com", wsBinding("node-a", List.of("<sip:edge.example.com;lr>")))
                .orElseThrow();
        assertEquals(2, via.path().size());
        String hop = via.path().get(0);
        assertTrue(hop.startsWith("<sip:10.0.0.1:5060;transport=tcp;lr;sipedge-node="), hop);
        assertEquals("<sip:edge.example.com;lr>", via.path().get(1));
        assertEquals("sip:x@127.0.0.1:40000;transport=ws", via.contactUri(), "the owner sends to the contact");
        String node = param(hop, ClusterNodes.NODE_PARAM);
        String aor = param(hop, ClusterNodes.AOR_PARAM);
        assertEquals(new ClusterNodes.Relay("node-a", "sip:bob@example.com"), ClusterNodes.relayFor(node, aor)
                .orElseThrow());
        assertTrue(ClusterNodes.relayFor(node, null).isEmpty());
        assertTrue(ClusterNodes.relayFor("%%%", aor).isEmpty());
        a.withdraw();
        assertTrue(b.resolve("sip:bob@example.com", wsBinding("node-a", List.of())).isEmpty(), "withdrawn");
    }

    @Test
    void relaysAreTakenOnlyFromMemberAddresses() {
        a.announce();
        assertTrue(b.isMemberAddress("10.0.0.1"));
        assertFalse(b.isMemberAddress("10.0.0.2"));
        assertFalse(b.isMemberAddress(null));
        assertEquals("10.0.0.1", ClusterNodes.hostOf("sip:10.0.0.1:5060;transport=tcp"));
        assertEquals("::1", ClusterNodes.hostOf("sip:[::1]:5060;transport=tcp"));
        assertEquals("h", ClusterNodes.hostOf("sip:u@h;lr"));
    }

    private static String param(String hop, String name) {
        for (String p : hop.substring(1, hop.length() - 1).split(";")) {
            if (p.startsWith(name + "=")) {
                return p.substring(name.length() + 1);
            }
        }
        return null;
    }
}
