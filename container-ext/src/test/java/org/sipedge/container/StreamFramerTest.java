package org.sipedge.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamFramerTest {
    /** What a framer found, as text. */
    private static final class Seen implements StreamFramer.Sink {
        final List<String> messages = new ArrayList<>();
        final List<String> callIds = new ArrayList<>();
        final List<String> refusals = new ArrayList<>();
        int crlfs;
        int pings;

        @Override
        public void message(byte[] headers, byte[] body, String callId) {
            messages.add(text(headers) + "|" + text(body));
            callIds.add(callId);
        }

        @Override
        public void crlf() {
            crlfs++;
        }

        @Override
        public void ping() {
            pings++;
        }

        @Override
        public void refused(String headerBlock, String why, boolean fatal) {
            refusals.add((fatal ? "fatal: " : "") + why + (headerBlock == null ? " (no headers)" : ""));
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final String COMPACT = "INVITE sip:a@127.0.0.1 SIP/2.0\r\ni: one\r\nl: 5\r\n\r\nhello";
    private static final String SPACED =
            "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: two\r\ncontent-LENGTH   :  3\r\n\r\nabc";
    private static final String NONE = "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: three\r\n\r\n";

    @Test
    void compactAndSpacedContentLengthFrameTheBodyWhicheverWayTheBytesArrive() {
        String stream = COMPACT + SPACED + NONE + COMPACT;
        for (int chunk : new int[] {stream.length(), 1, 2, 7, 13}) {
            Seen seen = new Seen();
            StreamFramer f = new StreamFramer(seen, 1 << 20, false);
            for (int i = 0; i < stream.length(); i += chunk) {
                f.add(bytes(stream.substring(i, Math.min(stream.length(), i + chunk))));
            }
            assertEquals(List.of(
                    "INVITE sip:a@127.0.0.1 SIP/2.0\r\ni: one\r\nl: 5\r\n\r\n|hello",
                    "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: two\r\ncontent-LENGTH   :  3\r\n\r\n|abc",
                    "OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: three\r\n\r\n|",
                    "INVITE sip:a@127.0.0.1 SIP/2.0\r\ni: one\r\nl: 5\r\n\r\n|hello"),
                    seen.messages, "chunks of " + chunk);
            assertEquals(List.of("one", "two", "three", "one"), seen.callIds);
            assertTrue(seen.refusals.isEmpty());
        }
    }

    @Test
    void aFoldedContentLengthAndBareLineFeedsAreRead() {
        Seen seen = new Seen();
        new StreamFramer(seen, 1 << 20, false).add(bytes("MESSAGE sip:a SIP/2.0\nContent-Length:\n   2\n\nhiNEXT"));
        assertEquals(List.of("MESSAGE sip:a SIP/2.0\nContent-Length:\n   2\n\n|hi"), seen.messages);
        assertNull(seen.callIds.get(0));
    }

    @Test
    void aContentLengthThatCannotFrameLosesTheStream() {
        for (String cl : new String[] {"l: -999", "Content-Length: 5\r\nContent-Length: 6", "Content-Length: x"}) {
            Seen seen = new Seen();
            StreamFramer f = new StreamFramer(seen, 1 << 20, false);
            f.add(bytes("OPTIONS sip:a SIP/2.0\r\n" + cl + "\r\n\r\n12345"));
            f.add(bytes(NONE));
            assertTrue(f.lost());
            assertEquals(1, seen.refusals.size(), cl);
            assertTrue(seen.refusals.get(0).startsWith("fatal: "), seen.refusals.toString());
            assertTrue(seen.messages.isEmpty(), "nothing after a lost framing is taken");
        }
        Seen same = new Seen();
        new StreamFramer(same, 1 << 20, false)
                .add(bytes("OPTIONS sip:a SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nok"));
        assertEquals(1, same.messages.size(), "two equal values still frame (the parser refuses the repetition)");
    }

    @Test
    void oversizedHeadersOrBodyLoseTheStream() {
        Seen big = new Seen();
        StreamFramer f = new StreamFramer(big, 100, false);
        f.add(bytes("OPTIONS sip:a SIP/2.0\r\nl: 101\r\n\r\n"));
        assertEquals(List.of("fatal: a body of 101 bytes (over 100)"), big.refusals);
        Seen endless = new Seen();
        StreamFramer g = new StreamFramer(endless, 100, false);
        g.add(bytes("OPTIONS sip:a SIP/2.0\r\nX: " + "y".repeat(StreamFramer.MAX_HEADER_BYTES)));
        assertEquals(List.of("fatal: a header block over 65536 bytes (no headers)"), endless.refusals);
    }

    @Test
    void aDoubleCrlfIsAPingAndASingleOneIsNot() {
        Seen seen = new Seen();
        StreamFramer f = new StreamFramer(seen, 1 << 20, false);
        f.add(bytes("\r\n\r\n"));
        assertEquals(1, seen.pings);
        f.add(bytes("\r\n"));
        assertEquals(1, seen.pings, "a pong");
        assertEquals(2, seen.crlfs);
        f.add(bytes(NONE + "\r\n"));
        assertEquals(1, seen.messages.size());
        assertFalse(f.lost());
    }

    @Test
    void aWebSocketMessageIsOneSipMessageWithOrWithoutContentLength() {
        Seen seen = new Seen();
        StreamFramer f = new StreamFramer(seen, 1 << 20, true);
        f.add(bytes("MESSAGE sip:a SIP/2.0\r\nCall-ID: ws\r\n\r\nno length here"));
        f.add(bytes("MESSAGE sip:a SIP/2.0\r\nl: 2\r\n\r\nhi and more"));
        f.add(bytes("MESSAGE sip:a SIP/2.0\r\nl: 99\r\n\r\nshort"));
        f.add(bytes(NONE));
        assertEquals(List.of("MESSAGE sip:a SIP/2.0\r\nCall-ID: ws\r\n\r\n|no length here",
                "MESSAGE sip:a SIP/2.0\r\nl: 2\r\n\r\n|hi", NONE + "|"), seen.messages);
        assertEquals(List.of("Content-Length 99 beyond the message's 5"), seen.refusals, "refused alone, not fatal");
        assertFalse(f.lost());
    }
}
