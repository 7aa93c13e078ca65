package org.sipedge.relay.dtls;

import org.bouncycastle.tls.SRTPProtectionProfile;

/** The SRTP protection profiles the relay negotiates in DTLS's use_srtp (RFC 5764, RFC 7714), best first. */
public enum SrtpProfile {
    /** RFC 7714: AES-GCM, 16-byte key, 12-byte salt; chosen when the peer offers it. */
    AEAD_AES_128_GCM(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, 16, 12),
    /** RFC 5764: what every browser offers. */
    AES_CM_128_HMAC_SHA1_80(SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, 16, 14);

    private final int id;
    private final int keyLength;
    private final int saltLength;

    SrtpProfile(int id, int keyLength, int saltLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
    }

    public int id() {
        return id;
    }

    public int keyLength() {
        return keyLength;
    }

    public int saltLength() {
        return saltLength;
    }

    static SrtpProfile byId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) {
                return p;
            }
        }
        return null;
    }
}
