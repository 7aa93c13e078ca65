package org.sipedge.container;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.Via;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ListeningPoint;

/**
 * Whether a response's top Via names this node. A response with no transaction of ours is forwarded statelessly
 * by the container to its next Via; RFC 3261 16.11 (and RFC 4475 3.3.10) says such a response whose top Via is
 * not this proxy is discarded: otherwise anyone can make the node send a message anywhere. A Via names this node
 * when its port is one of the node's listening ports (5060, or 5061 for TLS, when it has none) and its host is the
 * listening address — or, on a wildcard listener, any address of this machine. Host names are never resolved: a
 * name is ours only when it is written as a listener's sent-by.
 */
final class OwnVia {
    private final SipStackImpl stack;
    private final Map<String, Boolean> local = new ConcurrentHashMap<>();

    OwnVia(SipStackImpl stack) {
        this.stack = stack;
    }

    boolean ours(Via via) {
        if (via == null || via.getHost() == null) {
            return false;
        }
        String host = via.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = via.getPort() > 0 ? via.getPort() : "TLS".equalsIgnoreCase(via.getTransport()) ? 5061 : 5060;
        for (Iterator<?> it = stack.getListeningPoints(); it.hasNext(); ) {
            ListeningPoint p = (ListeningPoint) it.next();
            if (p.getPort() != port) {
                continue;
            }
            String bound = p.getIPAddress();
            if (host.equalsIgnoreCase(bound) || host.equalsIgnoreCase(sentByHost(p.getSentBy()))) {
                return true;
            }
            InetAddress literal = literal(host);
            InetAddress boundAddress = bound == null ? null : literal(bound);
            if (literal != null && boundAddress != null && (literal.equals(boundAddress)
                    || (boundAddress.isAnyLocalAddress() && isLocal(literal)))) {
                return true;
            }
        }
        return false;
    }

    /** The host of a sent-by ({@code host[:port]}, IPv6 in brackets), or null. */
    private static String sentByHost(String sentBy) {
        if (sentBy == null || sentBy.isEmpty()) {
            return null;
        }
        if (sentBy.startsWith("[")) {
            int close = sentBy.indexOf(']');
            return close > 0 ? sentBy.substring(1, close) : null;
        }
        int colon = sentBy.indexOf(':');
        return colon < 0 ? sentBy : sentBy.substring(0, colon);
    }

    /** The address written in {@code host}, or null for a name (never looked up). */
    static InetAddress literal(String host) {
        boolean v4 = !host.isEmpty();
        for (int i = 0; i < host.length() && v4; i++) {
            char c = host.charAt(i);
            v4 = (c >= '0' && c <= '9') || c == '.';
        }
        if (!v4 && host.indexOf(':') < 0) {
            return null;
        }
        try {
            return InetAddress.getByName(host); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private boolean isLocal(InetAddress a) {
        return local.computeIfAbsent(a.getHostAddress(), k -> {
            try {
                return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
            } catch (SocketException e) {
                return false;
            }
        });
    }
}
