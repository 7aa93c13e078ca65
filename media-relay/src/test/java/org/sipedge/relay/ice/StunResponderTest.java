package org.sipedge.relay.ice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.ice.StunResponder.Answer;
import org.sipedge.relay.ice.StunResponder.Credentials;
import org.sipedge.relay.ice.StunResponder.Verdict;

/**
 * The relay's ICE-lite answers, checked against RFC 5769's sample request (made by another implementation) and with
 * the response's MESSAGE-INTEGRITY and FINGERPRINT recomputed here by hand (JDK HMAC-SHA1 and CRC32), not by the
 * codec under test.
 */
class StunResponderTest {
    /** RFC 5769 section 2.1: username "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt". */
    private static final byte[] RFC5769_REQUEST = hex(""
            + "00010058" + "2112a442" + "b7e7a701bc34d686fa87dfae"      // binding request, cookie, transaction
            + "80220010" + "5354554e2074657374" + "20636c69656e74"      // SOFTWARE "STUN test client"
            + "00240004" + "6e0001ff"                                   // PRIORITY
            + "80290008" + "932ff9b151263b36"                           // ICE-CONTROLLED
            + "00060009" + "6576746a3a68367659202020"                   // USERNAME "evtj:h6vY", padded
            + "00080014" + "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"   // MESSAGE-INTEGRITY
            + "80280004" + "e57a3bcf");                                 // FINGERPRINT
    private static final String RFC5769_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
    private static final InetSocketAddress SOURCE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 32853);

    /** Registers RFC 5769's credentials as if the relay had handed them out. */
    @SuppressWarnings("unchecked")
    private static StunResponder withRfcCredentials() throws Exception {
        StunResponder r = new StunResponder();
        Field f = StunResponder.class.getDeclaredField("local");
        f.setAccessible(true);
        ((Map<String, Credentials>) f.get(r)).put("evtj", new Credentials("evtj", RFC5769_PASSWORD));
        return r;
    }

    @Test
    void answersRfc5769sSampleRequestWithAnIntegrityProtectedSuccess() throws Exception {
        StunResponder r = withRfcCredentials();
        Answer a = r.answer(RFC5769_REQUEST, 0, RFC5769_REQUEST.length, SOURCE);
        assertEquals(Verdict.ANSWERED, a.verdict());
        assertEquals("evtj", a.localUfrag());
        assertFalse(a.useCandidate(), "the sample request has no USE-CANDIDATE");
        byte[] resp = a.response();
        assertEquals(0x0101, u16(resp, 0), "Binding success response");
        assertEquals(resp.length - 20, u16(resp, 2), "message length");
        assertEquals(StunResponder.MAGIC_COOKIE, ByteBuffer.wrap(resp, 4, 4).getInt());
        assertArrayEquals(Arrays.copyOfRange(RFC5769_REQUEST, 8, 20), Arrays.copyOfRange(resp, 8, 20),
                "the request's transaction id");
        // attributes, walked by hand
        int xorMapped = -1;
        int integrity = -1;
        int fingerprint = -1;
        for (int at = 20; at < resp.length; ) {
            int type = u16(resp, at);
            int len = u16(resp, at + 2);
            if (type == 0x0020) {
                xorMapped = at;
            } else if (type == 0x0008) {
                integrity = at;
            } else if (type == 0x8028) {
                fingerprint = at;
            }
            at += 4 + (len + 3) / 4 * 4;
        }
        assertTrue(xorMapped > 0 && integrity > xorMapped && fingerprint == integrity + 24,
                "XOR-MAPPED-ADDRESS, then MESSAGE-INTEGRITY, then FINGERPRINT last");
        // XOR-MAPPED-ADDRESS: family 1, port and address xor the cookie (RFC 8489 section 14.2)
        assertEquals(1, resp[xorMapped + 5]);
        assertEquals(32853, u16(resp, xorMapped + 6) ^ 0x2112);
        byte[] ip = Arrays.copyOfRange(resp, xorMapped + 8, xorMapped + 12);
        byte[] cookie = {0x21, 0x12, (byte) 0xa4, 0x42};
        for (int i = 0; i < 4; i++) {
            ip[i] ^= cookie[i];
        }
        assertEquals(SOURCE.getAddress(), InetAddress.getByAddress(ip));
        // MESSAGE-INTEGRITY: HMAC-SHA1 with the password over the message up to it, length field covering it
        byte[] signed = Arrays.copyOf(resp, integrity);
        int lengthThroughIntegrity = integrity + 24 - 20;
        signed[2] = (byte) (lengthThroughIntegrity >> 8);
        signed[3] = (byte) lengthThroughIntegrity;
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(RFC5769_PASSWORD.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        assertArrayEquals(mac.doFinal(signed), Arrays.copyOfRange(resp, integrity + 4, integrity + 24));
        // FINGERPRINT: CRC-32 of everything before it, xor 0x5354554e
        CRC32 crc = new CRC32();
        crc.update(resp, 0, fingerprint);
        assertEquals((int) (crc.getValue() ^ 0x5354554eL), ByteBuffer.wrap(resp, fingerprint + 4, 4).getInt());
        assertEquals(1, r.count(Verdict.ANSWERED));
    }

    @Test
    void aWrongPasswordIsDroppedAndCounted() throws Exception {
        StunResponder r = new StunResponder();
        @SuppressWarnings("unchecked")
        Map<String, Credentials> local = (Map<String, Credentials>) field(r, "local");
        local.put("evtj", new Credentials("evtj", "not-the-password-at-all-x"));
        Answer a = r.answer(RFC5769_REQUEST, 0, RFC5769_REQUEST.length, SOURCE);
        assertEquals(Verdict.BAD_INTEGRITY, a.verdict());
        assertNull(a.response());
        assertEquals(1, r.count(Verdict.BAD_INTEGRITY));
        assertEquals(0, r.count(Verdict.ANSWERED));
    }

    @Test
    void unknownOrForgottenCredentialsAreNotAnswered() throws Exception {
        StunResponder r = new StunResponder();
        assertEquals(Verdict.UNKNOWN_USER, r.answer(RFC5769_REQUEST, 0, RFC5769_REQUEST.length, SOURCE).verdict());
        StunResponder known = withRfcCredentials();
        known.forget(new Credentials("evtj", RFC5769_PASSWORD));
        assertEquals(Verdict.UNKNOWN_USER,
                known.answer(RFC5769_REQUEST, 0, RFC5769_REQUEST.length, SOURCE).verdict());
    }

    @Test
    void aFlippedBitFailsTheFingerprint() throws Exception {
        StunResponder r = withRfcCredentials();
        byte[] bent = RFC5769_REQUEST.clone();
        bent[30] ^= 0x01; // inside SOFTWARE
        assertEquals(Verdict.MALFORMED, r.answer(bent, 0, bent.length, SOURCE).verdict());
        assertEquals(1, r.count(Verdict.MALFORMED));
    }

    @Test
    void mediaAndDtlsAreNotStun() {
        StunResponder r = new StunResponder();
        byte[] rtp = new byte[172];
        rtp[0] = (byte) 0x80;
        byte[] dtls = new byte[60];
        dtls[0] = 22; // handshake record
        assertEquals(Verdict.NOT_STUN, r.answer(rtp, 0, rtp.length, SOURCE).verdict());
        assertEquals(Verdict.NOT_STUN, r.answer(dtls, 0, dtls.length, SOURCE).verdict());
        assertFalse(StunResponder.isStun(new byte[19], 0, 19), "shorter than a STUN header");
    }

    @Test
    void aRequestInsideALargerBufferIsReadAtItsOffset() throws Exception {
        StunResponder r = withRfcCredentials();
        byte[] buf = new byte[RFC5769_REQUEST.length + 40];
        System.arraycopy(RFC5769_REQUEST, 0, buf, 17, RFC5769_REQUEST.length);
        assertEquals(Verdict.ANSWERED, r.answer(buf, 17, RFC5769_REQUEST.length, SOURCE).verdict());
    }

    @Test
    void handedOutCredentialsAreIceCharsLongEnoughAndDistinct() {
        StunResponder r = new StunResponder();
        Set<String> ufrags = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Credentials c = r.newCredentials();
            assertTrue(c.ufrag().matches("[A-Za-z0-9+/]{8}"), c.ufrag());
            assertTrue(c.pwd().matches("[A-Za-z0-9+/]{22,256}"), "RFC 8839 ice-pwd");
            assertTrue(ufrags.add(c.ufrag()));
            assertFalse(c.toString().contains(c.pwd()), "no password in logs");
        }
        Credentials a = r.newCredentials();
        Credentials b = r.newCredentials();
        assertNotEquals(a.pwd(), b.pwd());
    }

    @Test
    void garbageWithTheMagicCookieNeverThrows() throws Exception {
        StunResponder r = withRfcCredentials();
        Random rnd = new Random(5769);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = RFC5769_REQUEST.clone();
            int flips = 1 + rnd.nextInt(6);
            for (int f = 0; f < flips; f++) {
                int at = rnd.nextInt(m.length);
                if (at >= 4 && at < 8) {
                    continue; // keep the cookie, so the codec is reached
                }
                m[at] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(4) == 0 ? 20 + rnd.nextInt(m.length - 20) : m.length;
            Answer a = r.answer(m, 0, len, SOURCE);
            boolean intact = len == m.length && Arrays.equals(m, RFC5769_REQUEST);
            assertEquals(intact, a.answered(), "only the untouched request is answered");
        }
        assertTrue(r.count(Verdict.MALFORMED) > 0);
    }

    private static Object field(Object o, String name) throws Exception {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
