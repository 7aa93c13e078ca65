package org.sipedge.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.core.Learning;

/**
 * 100,000 random and mutated bencode/JSON datagrams at the ng port, bounded to 60 s; afterwards the relay still
 * answers {@code ping} and still relays a call set up before the fuzzing. Mutations start from the captured
 * reference requests (bit flips, truncation, splices, inserted bencode and JSON tokens, random lengths) plus pure
 * noise. The run is reproducible: the seed is printed and can be set with {@code -Dfuzz.seed=N}.
 */
class NgFuzzIT {
    private static final int DATAGRAMS = 100_000;
    private static final long BUDGET_NANOS = 60_000_000_000L;
    private static final String[] TOKENS = {"d", "e", "l", "i", "i-1e", "i99999999999999999999e", "0:", "4:ping",
            "7:command", "5:offer", "3:sdp", "7:call-id", "8:from-tag", "6:to-tag", "{", "}", "[", "]", "\"", ":",
            ",", "null", "true", "-1", "1e999", "\\u0000", "v=0\r\n", "m=audio 0 RTP/AVP 0\r\n", "c=IN IP4 ::\r\n",
            "a=rtcp-mux\r\n", " ", "\u00ff"};

    @Test
    void aHundredThousandBadDatagramsLeaveTheRelayAnsweringAndRelaying() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("NgFuzzIT seed " + seed + " (-Dfuzz.seed=" + seed + " repeats this run)");
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> corpus = corpus();
        MediaRelay relay = RelayFixture.start(Learning.DELAYED, 0, 60, 600);
        try (MediaPhone a = new MediaPhone("127.0.0.2"); MediaPhone b = new MediaPhone("127.0.0.3");
             DatagramSocket fuzzer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            RelayMediaIT.Call call = RelayMediaIT.call(relay, "before-fuzz", a, b, List.of(), List.of(), List.of(),
                    Map.of());
            InetSocketAddress ng = relay.ngAddress();
            fuzzer.setReceiveBufferSize(4 << 20);
            long t0 = System.nanoTime();
            int sent = 0;
            byte[] sink = new byte[65535];
            while (sent < DATAGRAMS && System.nanoTime() - t0 < BUDGET_NANOS) {
                for (int i = 0; i < 200 && sent < DATAGRAMS; i++, sent++) {
                    byte[] d = mutate(corpus.get(random.nextInt(corpus.size())), random);
                    fuzzer.send(new DatagramPacket(d, d.length, ng));
                }
                awaitHandled(relay, sent, fuzzer, sink);
            }
            long took = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("NgFuzzIT: " + sent + " datagrams in " + took + " ms");
            assertEquals(DATAGRAMS, sent, "all datagrams sent within the 60 s bound");

            Map<String, Object> pong = NgUdp.request(RelayFixture.ngPort(relay), Map.of("command", "ping"));
            assertNotNull(pong, "the relay still answers ping");
            assertEquals("pong", pong.get("result"));
            byte[] rtp = MediaPhone.rtp(0, 7, 0x55555555L, 160);
            a.sendRtp(rtp, call.ea());
            MediaPhone.Received got = b.receiveRtp(Duration.ofSeconds(2));
            assertNotNull(got, "the call set up before the fuzzing is still relayed");
            assertArrayEquals(rtp, got.data());
            assertTrue(relay.ngFrontEnd().requests() >= DATAGRAMS, "every datagram was read: "
                    + relay.ngFrontEnd().requests());
        } finally {
            relay.close();
        }
    }

    /** Waits (bounded) until the relay has read what was sent, draining replies so our socket never overflows. */
    private static void awaitHandled(MediaRelay relay, int sent, DatagramSocket fuzzer, byte[] sink) throws IOException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        fuzzer.setSoTimeout(1);
        while (relay.ngFrontEnd().requests() < sent - 50 && System.nanoTime() < deadline) {
            try {
                fuzzer.receive(new DatagramPacket(sink, sink.length));
            } catch (java.net.SocketTimeoutException e) {
                // nothing to drain yet
            }
        }
    }

    private static byte[] mutate(byte[] original, SplittableRandom r) {
        // most mutants get a cookie of their own, so the relay executes them instead of answering from its cache
        byte[] seed = r.nextInt(10) < 7 ? recookie(original, "fz" + r.nextInt()) : original;
        switch (r.nextInt(8)) {
            case 0 -> { // pure noise with a cookie
                byte[] b = new byte[r.nextInt(1, 1500)];
                r.nextBytes(b);
                return prefix("fz_" + r.nextInt(), b);
            }
            case 1 -> { // pure noise
                byte[] b = new byte[r.nextInt(0, 600)];
                r.nextBytes(b);
                return b;
            }
            case 2 -> { // bit flips
                byte[] b = seed.clone();
                for (int i = r.nextInt(1, 8); i > 0 && b.length > 0; i--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return b;
            }
            case 3 -> { // truncation
                return java.util.Arrays.copyOf(seed, r.nextInt(seed.length + 1));
            }
            case 4 -> { // a token inserted somewhere
                String s = new String(seed, StandardCharsets.ISO_8859_1);
                int at = r.nextInt(s.length() + 1);
                return (s.substring(0, at) + TOKENS[r.nextInt(TOKENS.length)] + s.substring(at))
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            case 5 -> { // a length prefix changed
                String s = new String(seed, StandardCharsets.ISO_8859_1);
                return s.replaceFirst("(\\d+):", r.nextInt(0, 100000) + ":").getBytes(StandardCharsets.ISO_8859_1);
            }
            case 6 -> { // JSON with odd values
                String[] values = {"\"offer\"", "1", "[]", "{}", "null", "\"\\u00e9\"", "[[[[[[[[]]]]]]]]",
                        "\"v=0\\r\\nm=audio 1 RTP/AVP 0\\r\\n\""};
                String json = "{\"command\":" + values[r.nextInt(values.length)] + ",\"call-id\":"
                        + values[r.nextInt(values.length)] + ",\"from-tag\":\"f\",\"sdp\":"
                        + values[r.nextInt(values.length)] + "}";
                return ("js_" + r.nextInt() + " " + json.substring(0, r.nextInt(json.length() + 1)))
                        .getBytes(StandardCharsets.UTF_8);
            }
            default -> { // two requests spliced
                byte[] b = new byte[seed.length];
                System.arraycopy(seed, 0, b, 0, seed.length);
                int cut = r.nextInt(b.length + 1);
                for (int i = cut; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
                return b;
            }
        }
    }

    private static byte[] recookie(byte[] datagram, String cookie) {
        int space = 0;
        while (space < datagram.length && datagram[space] != ' ') {
            space++;
        }
        return space >= datagram.length ? datagram
                : prefix(cookie, java.util.Arrays.copyOfRange(datagram, space + 1, datagram.length));
    }

    private static byte[] prefix(String cookie, byte[] rest) {
        byte[] c = (cookie + " ").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[c.length + rest.length];
        System.arraycopy(c, 0, out, 0, c.length);
        System.arraycopy(rest, 0, out, c.length, rest.length);
        return out;
    }

    /** Every captured request of the reference transcripts (their cookies made unique per datagram at send). */
    private static List<byte[]> corpus() throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (String t : List.of("01-ping", "02-plain-call", "06-ws-neither", "07-errors", "08-fork-and-tags")) {
            for (int n = 1; ; n++) {
                try (InputStream in = NgFuzzIT.class.getResourceAsStream(String.format("/ng-golden/%s-%02d-sent.bin",
                        t, n))) {
                    if (in == null) {
                        break;
                    }
                    out.add(in.readAllBytes());
                }
            }
        }
        return out;
    }
}
