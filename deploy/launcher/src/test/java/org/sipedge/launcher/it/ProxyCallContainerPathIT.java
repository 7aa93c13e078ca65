package org.sipedge.launcher.it;

/**
 * The same calls with {@code proxy.udp-fast-path=false}: UDP calls then take the container's stateful proxy (the
 * servlet), as TCP calls always do.
 */
class ProxyCallContainerPathIT extends ProxyCallSippIT {
    @Override
    EdgeProcess.Builder configure(EdgeProcess.Builder b) {
        return b.set("proxy.udp-fast-path", "false");
    }

    @Override
    boolean fastPath() {
        return false;
    }
}
