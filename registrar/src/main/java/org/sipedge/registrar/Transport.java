package org.sipedge.registrar;

import java.util.Locale;

/** SIP transports as the container names them. WS and WSS mark a WebSocket (browser / WebRTC) user agent. */
public enum Transport {
    UDP(false, false), TCP(true, false), TLS(true, false), SCTP(true, false), WS(true, true), WSS(true, true);

    private final boolean connectionOriented;
    private final boolean webSocket;

    Transport(boolean connectionOriented, boolean webSocket) {
        this.connectionOriented = connectionOriented;
        this.webSocket = webSocket;
    }

    public boolean connectionOriented() {
        return connectionOriented;
    }

    public boolean webSocket() {
        return webSocket;
    }

    /** Parses the container's spelling ("udp", "TCP", "WS"...). */
    public static Transport of(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
