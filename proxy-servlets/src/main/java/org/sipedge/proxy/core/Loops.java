package org.sipedge.proxy.core;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Loop detection for an edge proxy that only routes to registered contacts: a request that already carries a Via of
 * one of this node's listening addresses came back to us (a contact pointing at the proxy itself, or two proxies
 * routing to each other). Spirals through this node are not a use case here, so any such Via is a loop (482).
 */
public final class Loops {
    private Loops() {
    }

    /**
     * @param vias       the Via header values of the request (one value per entry, in order)
     * @param ourSentBys this node's {@code host:port} pairs, lower case
     */
    public static boolean looped(List<String> vias, Set<String> ourSentBys) {
        for (String via : vias) {
            String sentBy = sentBy(via);
            if (sentBy != null && ourSentBys.contains(sentBy)) {
                return true;
            }
        }
        return false;
    }

    /** {@code host:port} of a Via value ("SIP/2.0/UDP 127.0.0.1:5060;branch=..."), default port by transport. */
    static String sentBy(String via) {
        String v = via.trim();
        int sp = v.indexOf(' ');
        if (sp < 0) {
            return null;
        }
        String proto = v.substring(0, sp).toUpperCase(Locale.ROOT);
        String rest = v.substring(sp + 1).trim();
        int semi = rest.indexOf(';');
        String hostPort = (semi < 0 ? rest : rest.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        if (hostPort.isEmpty()) {
            return null;
        }
        boolean hasPort = hostPort.startsWith("[") ? hostPort.contains("]:") : hostPort.contains(":");
        if (hasPort) {
            return hostPort;
        }
        int port = proto.endsWith("/TLS") || proto.endsWith("/WSS") ? 5061 : 5060;
        return hostPort + ":" + port;
    }
}
