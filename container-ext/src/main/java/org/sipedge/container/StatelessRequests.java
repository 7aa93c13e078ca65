package org.sipedge.container;

/**
 * Where a webapp plugs in its {@link StatelessRequestHandler}s. Lives on the container class path so the stack's
 * valve and the webapp see the same registry.
 */
public final class StatelessRequests {
    private static volatile StatelessRequestHandler udpRegister;
    private static volatile String serverHeader = "SIP Edge";
    private static volatile FastProxyHandler fastProxy;
    private static volatile StatelessRequestHandler callerGate;

    private StatelessRequests() {
    }

    /** The handler for REGISTER over UDP, or null when the container should handle it. */
    public static StatelessRequestHandler udpRegister() {
        return udpRegister;
    }

    public static void setUdpRegister(StatelessRequestHandler handler) {
        udpRegister = handler;
    }

    /** Removes {@code handler} if it is the current one (a redeployed webapp must not remove its successor's). */
    public static synchronized void clearUdpRegister(StatelessRequestHandler handler) {
        if (udpRegister == handler) {
            udpRegister = null;
        }
    }

    /** The proxy's UDP fast path, or null when every request goes to the container. */
    public static FastProxyHandler fastProxy() {
        return fastProxy;
    }

    public static void setFastProxy(FastProxyHandler handler) {
        fastProxy = handler;
    }

    /** Removes {@code handler} if it is the current one. */
    public static synchronized void clearFastProxy(FastProxyHandler handler) {
        if (fastProxy == handler) {
            fastProxy = null;
        }
    }

    /**
     * The proxy's caller check (407 / 403 for callers who may not call), asked for every request on every
     * transport before a transaction or session exists; null when there is none.
     */
    public static StatelessRequestHandler callerGate() {
        return callerGate;
    }

    public static void setCallerGate(StatelessRequestHandler handler) {
        callerGate = handler;
    }

    /** Removes {@code handler} if it is the current one. */
    public static synchronized void clearCallerGate(StatelessRequestHandler handler) {
        if (callerGate == handler) {
            callerGate = null;
        }
    }

    /** The Server header value the container is configured with, for responses sent by handlers. */
    public static String serverHeader() {
        return serverHeader;
    }

    static void setServerHeader(String value) {
        serverHeader = value;
    }
}
