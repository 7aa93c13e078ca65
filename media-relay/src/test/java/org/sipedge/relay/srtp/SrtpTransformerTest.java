package org.sipedge.relay.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.sipedge.relay.dtls.SrtpKeys;
import org.sipedge.relay.dtls.SrtpProfile;
import org.sipedge.relay.srtp.SrtpTransformer.Result;

/**
 * SRTP through jitsi-srtp as the relay configures it, checked against an SRTP computed here from RFC 3711 with JDK
 * primitives only (AES-CTR key derivation and encryption, HMAC-SHA1 tag), then in both directions with mirrored
 * keys, against tampering and replays.
 */
class SrtpTransformerTest {
    private static final HexFormat HEX = HexFormat.of();
    // RFC 3711 appendix B.3's master key and salt
    private static final byte[] KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
    private static final byte[] KEY2 = HEX.parseHex("00112233445566778899aabbccddeeff");
    private static final byte[] SALT2 = HEX.parseHex("0102030405060708090a0b0c0d0e");
    private static final byte[] GCM_SALT = HEX.parseHex("0102030405060708090a0b0c");
    private static final byte[] GCM_SALT2 = HEX.parseHex("a1a2a3a4a5a6a7a8a9aaabac");

    private static byte[] rtp(int seq, int ssrc, int payloadBytes) {
        ByteBuffer b = ByteBuffer.allocate(12 + payloadBytes);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(ssrc);
        for (int i = 0; i < payloadBytes; i++) {
            b.put((byte) (i * 7 + seq));
        }
        return b.array();
    }

    /** RFC 3711 section 4.3.1 with kdr 0: AES-CM keystream of the master key at IV (salt xor label<<48) * 2^16. */
    private static byte[] derive(int label, int length) throws Exception {
        byte[] iv = new byte[16];
        System.arraycopy(SALT, 0, iv, 0, 14);
        iv[7] ^= (byte) label;
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"), new IvParameterSpec(iv));
        return aes.doFinal(new byte[length]);
    }

    /** RFC 3711 sections 4.1.1 and 4.2: the SRTP form of a 12-byte-header RTP packet, roll-over counter 0. */
    private static byte[] oracle(byte[] rtp) throws Exception {
        byte[] sessionKey = derive(0x00, 16);
        byte[] authKey = derive(0x01, 20);
        byte[] sessionSalt = derive(0x02, 14);
        byte[] iv = new byte[16];
        System.arraycopy(sessionSalt, 0, iv, 0, 14);
        for (int i = 0; i < 4; i++) {
            iv[4 + i] ^= rtp[8 + i]; // SSRC
        }
        iv[12] ^= rtp[2]; // index = ROC (0) || SEQ
        iv[13] ^= rtp[3];
        Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"), new IvParameterSpec(iv));
        byte[] out = Arrays.copyOf(rtp, rtp.length + 10);
        byte[] enc = aes.doFinal(rtp, 12, rtp.length - 12);
        System.arraycopy(enc, 0, out, 12, enc.length);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(authKey, "HmacSHA1"));
        mac.update(out, 0, rtp.length);
        byte[] tag = mac.doFinal(new byte[4]); // ROC 0
        System.arraycopy(tag, 0, out, rtp.length, 10);
        return out;
    }

    @Test
    void aesCmSrtpIsWhatRfc3711Computes() throws Exception {
        SrtpKeys keys = new SrtpKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, KEY, SALT, KEY2, SALT2);
        try (SrtpTransformer t = new SrtpTransformer(keys)) {
            for (int seq = 1; seq <= 3; seq++) {
                byte[] plain = rtp(seq, 0xdecafbad, 160);
                Packet p = new Packet(plain, 0, plain.length);
                assertTrue(t.protect(p));
                assertArrayEquals(oracle(plain), p.bytes(), "packet " + seq);
            }
        }
    }

    private static void roundTrip(SrtpProfile profile, byte[] saltA, byte[] saltB, int tagBytes) {
        SrtpKeys a = new SrtpKeys(profile, KEY, saltA, KEY2, saltB);
        SrtpKeys b = new SrtpKeys(profile, KEY2, saltB, KEY, saltA);
        try (SrtpTransformer relay = new SrtpTransformer(a); SrtpTransformer browser = new SrtpTransformer(b)) {
            for (int seq = 100; seq < 110; seq++) {
                byte[] plain = rtp(seq, 0x1234, 172 - 12);
                Packet p = new Packet(plain, 0, plain.length);
                assertTrue(relay.protect(p));
                assertEquals(plain.length + tagBytes, p.getLength());
                assertFalse(Arrays.equals(Arrays.copyOfRange(plain, 12, plain.length),
                        Arrays.copyOfRange(p.bytes(), 12, plain.length)), "payload encrypted");
                byte[] wire = p.bytes();
                Packet back = new Packet(wire, 0, wire.length);
                assertEquals(Result.OK, browser.unprotect(back));
                assertArrayEquals(plain, back.bytes());
                Packet again = new Packet(wire, 0, wire.length);
                assertEquals(Result.REPLAY, browser.unprotect(again), "a replayed packet");
                byte[] bent = wire.clone();
                bent[20] ^= 0x40;
                bent[2] ^= 0x7f; // a new sequence number, so it is not a replay: the tag must catch it
                assertEquals(Result.AUTH_FAIL, browser.unprotect(new Packet(bent, 0, bent.length)));
            }
            // RTCP both ways: a receiver report
            byte[] rr = HEX.parseHex("81c90007" + "00001234" + "00005678" + "00000000" + "00000064" + "00000000"
                    + "00000000" + "00000000");
            Packet r = new Packet(rr, 0, rr.length);
            assertTrue(browser.protectRtcp(r));
            assertTrue(r.getLength() > rr.length);
            Packet rb = new Packet(r.bytes(), 0, r.getLength());
            assertEquals(Result.OK, relay.unprotectRtcp(rb));
            assertArrayEquals(rr, rb.bytes());
        }
    }

    @Test
    void aesCmBothWaysWithReplayAndTamperChecks() {
        roundTrip(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SALT, SALT2, 10);
    }

    @Test
    void aesGcmBothWaysWithReplayAndTamperChecks() {
        roundTrip(SrtpProfile.AEAD_AES_128_GCM, GCM_SALT, GCM_SALT2, 16);
    }

    @Test
    void runtPacketsAreInvalid() {
        try (SrtpTransformer t = new SrtpTransformer(
                new SrtpKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, KEY, SALT, KEY2, SALT2))) {
            assertEquals(Result.INVALID, t.unprotect(new Packet(new byte[8], 0, 8)));
            assertFalse(t.protect(new Packet(new byte[8], 0, 8)));
            assertEquals(Result.INVALID, t.unprotectRtcp(new Packet(new byte[4], 0, 4)));
        }
    }
}
