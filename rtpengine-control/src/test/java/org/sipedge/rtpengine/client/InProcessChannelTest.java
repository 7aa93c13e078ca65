package org.sipedge.rtpengine.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sipedge.ng.NgMessage;

class InProcessChannelTest {

    @Test
    void handlerSeesWhatTheWireWouldDeliver() throws Exception {
        AtomicReference<Map<String, Object>> seen = new AtomicReference<>();
        InProcessChannel channel = new InProcessChannel(d -> {
            seen.set(d);
            return Map.of("result", "ok", "count", 3);
        }, Duration.ofSeconds(1), 1);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "delete");
        request.put("call-id", "c1");
        request.put("delete-delay", 0); // an Integer, as the proxy builds it
        NgMessage reply = channel.exchange(request, Duration.ofSeconds(1), 1);
        assertEquals(0L, seen.get().get("delete-delay"), "Long, as a decoded bencode integer always is");
        assertEquals(3L, reply.dictionary().get("count"));
        assertEquals(0, channel.errors());
    }

    @Test
    void aThrowingHandlerCountsAsUnanswered() {
        InProcessChannel channel = new InProcessChannel(d -> {
            throw new IllegalStateException("boom");
        }, Duration.ofSeconds(1), 1);
        assertThrows(NgException.class, () -> channel.exchange(Map.of("command", "ping"), Duration.ofSeconds(1), 1));
        assertEquals(1, channel.timeouts());
    }
}
