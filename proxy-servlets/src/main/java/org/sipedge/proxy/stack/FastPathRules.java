package org.sipedge.proxy.stack;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.sipedge.registrar.Binding;
import org.sipedge.registrar.Transport;

/**
 * Which calls the UDP fast path may carry, and the few computations it needs, as pure functions. Everything the
 * fast path declines goes to the container's proxy (forking, WebSocket and TCP flows, Path, Outbound, push, loops,
 * hop exhaustion) so the two never disagree about a feature, only about cost.
 */
public final class FastPathRules {
    /** Our Via branches start with this (magic cookie + marker), so responses to them are recognised. */
    public static final String BRANCH_PREFIX = "z9hG4bK-sefp-";
    /** The Record-Route URI parameter that marks dialogs set up by the fast path. */
    public static final String ROUTE_MARKER = "sefp";

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private FastPathRules() {
    }

    /** Where a fast-path INVITE goes: an IP literal and port, and the Request-URI to put in it. */
    public record UdpTarget(String host, int port, String requestUri) {
    }

    /**
     * The single plain-UDP binding an initial request can be sent to without the container, or null when the
     * request needs the full proxy.
     */
    public static UdpTarget target(List<Binding> live) {
        if (live.size() != 1) {
            return null; // none (404/480, push) or several (forking): the container decides
        }
        Binding b = live.get(0);
        if (b.transport() != Transport.UDP || b.webSocketClient() || !b.path().isEmpty() || b.isOutboundFlow()
                || b.connectionKey() != null) {
            return null;
        }
        return udpTarget(b.contactUri());
    }

    /** Host, port and URI of a {@code sip:} contact whose host is an IP literal and whose transport is UDP. */
    static UdpTarget udpTarget(String contact) {
        org.sipedge.sip.SipUri u = org.sipedge.sip.SipUri.parseOrNull(contact);
        if (u == null || !u.scheme().equals("sip") || u.headers() != null || u.hasParam("maddr")) {
            return null;
        }
        String transport = u.param("transport");
        if (u.hasParam("transport") && (transport == null || !transport.equalsIgnoreCase("udp"))) {
            return null;
        }
        if (!isIpv4Literal(u.host())) {
            return null; // never resolve names taken from a request; IPv6 contacts take the container's path
        }
        String text = contact.trim();
        if (text.startsWith("<") && text.endsWith(">")) {
            text = text.substring(1, text.length() - 1);
        }
        return new UdpTarget(u.host(), u.portOrDefault(), text);
    }

    public static boolean isIpv4Literal(String host) {
        return host != null && IPV4.matcher(host).matches();
    }

    /**
     * Our branch for a request forwarded statelessly: a hash of the incoming branch (RFC 3261 §16.11), so a
     * retransmission, and the CANCEL or non-2xx ACK of an INVITE, get the same branch as the INVITE did.
     */
    public static String branchFor(String incomingBranch, long secret) {
        long h = 0xcbf29ce484222325L ^ secret;
        byte[] b = (incomingBranch == null ? "" : incomingBranch).getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            h ^= (x & 0xff);
            h *= 0x100000001b3L;
        }
        h ^= (h >>> 33);
        h *= 0xff51afd7ed558ccdL;
        h ^= (h >>> 33);
        return BRANCH_PREFIX + Long.toHexString(h);
    }

    /** Where a response goes after our Via is removed: received/rport of the next Via, else its sent-by. */
    public static UdpTarget responseHop(String received, int rport, String host, int port) {
        String h = received != null && !received.isEmpty() ? received : host;
        int p = rport > 0 ? rport : (port > 0 ? port : 5060);
        return isIpv4Literal(h) ? new UdpTarget(h, p, null) : null;
    }
}
