package org.sipedge.relay.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 5764 section 4.2: client_write_SRTP_master_key | server_write_SRTP_master_key | client salt | server salt. */
class SrtpKeysTest {
    private static byte[] material(SrtpProfile p) {
        byte[] m = new byte[SrtpKeys.materialLength(p)];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) i;
        }
        return m;
    }

    private static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = (byte) i;
        }
        return b;
    }

    @Test
    void aesCmLayout() {
        SrtpProfile p = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
        assertEquals(60, SrtpKeys.materialLength(p));
        SrtpKeys client = SrtpKeys.fromExported(p, material(p), true);
        assertArrayEquals(range(0, 16), client.localKey());
        assertArrayEquals(range(16, 32), client.remoteKey());
        assertArrayEquals(range(32, 46), client.localSalt());
        assertArrayEquals(range(46, 60), client.remoteSalt());
        SrtpKeys server = SrtpKeys.fromExported(p, material(p), false);
        assertArrayEquals(client.localKey(), server.remoteKey());
        assertArrayEquals(client.localSalt(), server.remoteSalt());
    }

    @Test
    void gcmLayoutAndNoKeysInToString() {
        SrtpProfile p = SrtpProfile.AEAD_AES_128_GCM;
        assertEquals(56, SrtpKeys.materialLength(p));
        SrtpKeys server = SrtpKeys.fromExported(p, material(p), false);
        assertArrayEquals(range(16, 32), server.localKey());
        assertArrayEquals(range(44, 56), server.localSalt());
        assertFalse(server.toString().contains(Arrays.toString(server.localKey())));
    }
}
