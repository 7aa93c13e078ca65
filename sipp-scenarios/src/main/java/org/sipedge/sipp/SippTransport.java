package org.sipedge.sipp;

/**
 * SIP transport for a sipp run, mapped to sipp's {@code -t} mode (one socket for all calls).
 *
 * <p>The bundled scenarios use the {@code [transport]}, {@code [local_ip]} and {@code [local_port]}
 * keywords, so the same scenario runs unchanged on every transport.
 */
public enum SippTransport {
    /** UDP, one socket ({@code -t u1}); requests are retransmitted by sipp. */
    UDP("u1"),
    /** TCP, one connection ({@code -t t1}). */
    TCP("t1"),
    /**
     * TLS over TCP, one connection ({@code -t l1}). Needs a sipp built with OpenSSL (see
     * {@link Sipp#supportsTls()}) and a certificate/key pair even as a client; the harness
     * generates a self-signed one when none is given.
     */
    TLS("l1");

    private final String mode;

    SippTransport(String mode) {
        this.mode = mode;
    }

    /** The value passed to sipp's {@code -t} option, e.g. {@code u1}. */
    public String sippMode() {
        return mode;
    }
}
