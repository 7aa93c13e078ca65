package org.sipedge.container;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The bridge between the SIP stack (container class path) and the webapps: the stack reports every TCP, TLS, WS
 * and WSS connection that closes, and registered listeners (the registrar's flow table) hear its key. Only JDK
 * types cross the bridge, so it works whatever class loader the listener comes from.
 */
public final class ConnectionEvents {
    private static final List<Consumer<String>> CLOSE_LISTENERS = new CopyOnWriteArrayList<>();

    private ConnectionEvents() {
    }

    /**
     * The one key format for a connection, as seen from our side: {@code transport:peer-address:peer-port}, with the
     * transport in lower case ({@code tcp, tls, ws, wss}).
     */
    public static String connectionKey(String transport, String peerAddress, int peerPort) {
        String address = peerAddress.startsWith("/") ? peerAddress.substring(1) : peerAddress;
        return transport.toLowerCase(Locale.ROOT) + ":" + address + ":" + peerPort;
    }

    public static void addCloseListener(Consumer<String> listener) {
        CLOSE_LISTENERS.add(listener);
    }

    public static void removeCloseListener(Consumer<String> listener) {
        CLOSE_LISTENERS.remove(listener);
    }

    static void closed(String transport, String peerAddress, int peerPort) {
        String key = connectionKey(transport, peerAddress, peerPort);
        for (Consumer<String> l : CLOSE_LISTENERS) {
            try {
                l.accept(key);
            } catch (RuntimeException e) {
                System.getLogger(ConnectionEvents.class.getName())
                        .log(System.Logger.Level.WARNING, "connection-close listener failed for " + key, e);
            }
        }
    }
}
