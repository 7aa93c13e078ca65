package org.sipedge.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where requests to a binding go: its contact, with the REGISTER's transport named when the contact names none. */
class BindingTest {
    private static Binding binding(String contact, Transport t) {
        return new Binding(contact, null, Long.MAX_VALUE, "c", 1, null, 0, List.of(), t, "127.0.0.9:5999", null,
                null, t.webSocket(), null, 0, "z9hG4bK1");
    }

    @Test
    void aContactWithoutTransportGetsTheOneItRegisteredOn() {
        // baresip's Contact: without this a call from a browser (WebSocket) went out on the caller's transport
        assertEquals("sip:bsphone-0x55@127.0.0.1:33674;transport=udp",
                binding("sip:bsphone-0x55@127.0.0.1:33674", Transport.UDP).routableContactUri());
        assertEquals("sip:a@127.0.0.1:5070;transport=tcp",
                binding("sip:a@127.0.0.1:5070", Transport.TCP).routableContactUri());
        assertEquals("sip:a@127.0.0.1:5070;ob;transport=tls?X-Y=1",
                binding("sip:a@127.0.0.1:5070;ob?X-Y=1", Transport.TLS).routableContactUri());
    }

    @Test
    void aContactThatNamesItsTransportOrIsNotPlainSipStaysAsItIs() {
        for (String c : List.of("sip:a@127.0.0.1:5070;transport=UDP", "sip:a@127.0.0.1;Transport=tcp;lr",
                "sips:a@127.0.0.1:5061", "tel:+15550100")) {
            assertEquals(c, binding(c, Transport.TCP).routableContactUri(), c);
        }
        assertEquals("sip:x@127.0.0.1:40000", binding("sip:x@127.0.0.1:40000", Transport.WS).routableContactUri());
    }
}
