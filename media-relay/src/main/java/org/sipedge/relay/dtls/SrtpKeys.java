package org.sipedge.relay.dtls;

import java.util.Arrays;

/**
 * SRTP master keys from a DTLS-SRTP handshake (RFC 5764 section 4.2): the keying material exported with the label
 * {@code EXTRACTOR-dtls_srtp} is client key | server key | client salt | server salt; "local" is what this side
 * encrypts with, "remote" what it decrypts with.
 */
public record SrtpKeys(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {
    static SrtpKeys fromExported(SrtpProfile profile, byte[] material, boolean isClient) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] clientKey = Arrays.copyOfRange(material, 0, k);
        byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s);
        return isClient ? new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
                : new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    static int materialLength(SrtpProfile profile) {
        return 2 * (profile.keyLength() + profile.saltLength());
    }

    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]"; // keys stay out of logs
    }
}
