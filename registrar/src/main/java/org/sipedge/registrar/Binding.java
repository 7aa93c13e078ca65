package org.sipedge.registrar;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * One registered contact of an address-of-record, with everything the proxy and media policy need to reach it.
 *
 * @param contactUri      the Contact URI as the UA sent it (after the stack's WebSocket fix-up)
 * @param q               the q-value, or null when the UA gave none
 * @param expiresAtMillis wall-clock deadline of the binding
 * @param instanceId      {@code +sip.instance} (without quotes), or null
 * @param regId           RFC 5626 {@code reg-id}, 0 when none
 * @param path            the Path header values recorded at registration (RFC 3327), outermost first
 * @param transport       the transport the REGISTER came on
 * @param flowAddress     the source {@code address:port} of the REGISTER (received/rport: the NAT-facing address)
 * @param connectionKey   the connection the binding lives and dies with (Outbound flows, WebSocket UAs), or null
 * @param nodeId          the node that owns that connection
 * @param webSocketClient true for a WebSocket/WebRTC user agent, false for a plain SIP UA
 * @param branch          the Via branch of the REGISTER that last wrote this binding (spots retransmissions)
 */
public record Binding(String contactUri, Float q, long expiresAtMillis, String callId, long cseq,
                      String instanceId, int regId, List<String> path, Transport transport, String flowAddress,
                      String connectionKey, String nodeId, boolean webSocketClient, PushParams push,
                      long registeredAtMillis, String branch) implements Serializable {

    public Binding {
        path = List.copyOf(path);
        push = push == null ? PushParams.NONE : push;
    }

    /** Seconds left, rounded up, never negative. */
    public int expiresInSeconds(long nowMillis) {
        long left = expiresAtMillis - nowMillis;
        return left <= 0 ? 0 : (int) ((left + 999) / 1000);
    }

    public boolean liveAt(long nowMillis) {
        return expiresAtMillis > nowMillis;
    }

    /** An RFC 5626 flow: identified by instance and reg-id rather than by its URI. */
    public boolean isOutboundFlow() {
        return instanceId != null && regId > 0;
    }

    /**
     * The URI to send requests to: the contact URI, with the transport the REGISTER came on named explicitly
     * ({@code ;transport=udp}, {@code tcp}, {@code tls}) when a {@code sip:} contact names none. Without it the
     * container picks the transport of the request being proxied: a call from a browser (WebSocket) to a UDP phone
     * whose Contact has no transport parameter (baresip's does not) never left the proxy.
     */
    public String routableContactUri() {
        if (transport == null || transport.webSocket() || transport == Transport.SCTP
                || !contactUri.regionMatches(true, 0, "sip:", 0, 4)) {
            return contactUri;
        }
        int headers = contactUri.indexOf('?');
        String params = (headers < 0 ? contactUri : contactUri.substring(0, headers)).toLowerCase(Locale.ROOT);
        if (params.contains(";transport=")) {
            return contactUri;
        }
        String named = ";transport=" + transport.name().toLowerCase(Locale.ROOT);
        return headers < 0 ? contactUri + named : contactUri.substring(0, headers) + named
                + contactUri.substring(headers);
    }

    /** The q-value used for ordering: 1.0 when absent. */
    public float effectiveQ() {
        return q == null ? 1.0f : q;
    }
}
