package org.sipedge.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.ng.RelayAnnouncement;
import org.sipedge.relay.core.CallTable;
import org.sipedge.relay.core.NgCommands;
import org.sipedge.relay.media.NettyMediaPorts;
import org.sipedge.relay.webrtc.WebRtcContext;
import org.sipedge.relay.ng.NgFrontEnd;
import org.sipedge.relay.ng.NgServer;
import org.sipedge.store.ClusterStore;
import org.sipedge.store.ExpiringMap;

/**
 * The media relay: rtpengine's ng protocol over its own calls and sockets. Runs in a SIP Edge node (the proxy calls
 * {@link #handle} directly, no UDP hop) or alone ({@code ./sipedge relay}, ng over UDP for SIP Edge nodes, Kamailio
 * or OpenSIPS). With a clustered store it announces itself so every node's proxy can use it.
 */
public final class MediaRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MediaRelay.class.getName());
    /** How often a relay announces itself, and how long an announcement lives (three missed ones: gone). */
    static final Duration ANNOUNCE_EVERY = Duration.ofSeconds(2);
    static final Duration ANNOUNCEMENT_TTL = Duration.ofSeconds(6);

    private final RelayConfig config;
    private final NettyMediaPorts ports;
    private final CallTable calls;
    private final NgCommands commands;
    private final WebRtcContext webrtc;
    private final NgServer server;
    private final ScheduledExecutorService timers;
    private final ExpiringMap<RelayAnnouncement> announcements;
    private final String engineId;

    private MediaRelay(RelayConfig config, ClusterStore store) throws IOException {
        this.config = config;
        this.ports = new NettyMediaPorts(config.interfaces(), config.portMin(), config.portMax(), config.ioThreads(),
                config.learning());
        this.calls = new CallTable(config.timeoutSeconds(), config.offerTimeoutSeconds());
        this.webrtc = config.webrtc() ? new WebRtcContext(config.maxHandshakes()) : null;
        this.commands = new NgCommands(config.commandSettings(), calls, ports, webrtc);
        NgServer ng = null;
        try {
            if (config.ngListen() != null) {
                ng = NgServer.start(config.ngListen(), new NgFrontEnd(commands));
            }
        } catch (IOException e) {
            ports.close();
            throw e;
        }
        this.server = ng;
        this.engineId = server == null ? null : engineId(server.address());
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipedge-relay-timers");
            t.setDaemon(true);
            return t;
        });
        timers.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
        boolean clustered = store != null && !store.kind().equals("memory");
        if (config.announce() && clustered && engineId != null && !server.address().getAddress().isAnyLocalAddress()) {
            announcements = store.map(RelayAnnouncement.MAP);
            timers.scheduleWithFixedDelay(this::announce, 0, ANNOUNCE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            announcements = null;
            if (config.announce() && clustered && engineId != null) {
                LOG.warning("media relay not announced: relay.ng-listen " + server.address()
                        + " is a wildcard address; proxies need an address they can reach");
            }
        }
    }

    /** Starts a relay; {@code store} may be null (nothing announced). Throws when the ng port cannot be bound. */
    public static MediaRelay start(RelayConfig config, ClusterStore store) {
        try {
            MediaRelay relay = new MediaRelay(config, store);
            LOG.info("media relay ready: " + relay.describe());
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("media relay: ng port " + config.ngListen() + " cannot be bound: "
                    + e.getMessage(), e);
        }
    }

    /** One ng request executed in-process (no cookie, no UDP, no size limit); the reply dictionary. */
    public Map<String, Object> handle(Map<String, Object> request) {
        try {
            return commands.handle(request, reply -> true);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ng request failed inside the relay: " + e, e);
            return NgFrontEnd.error("Internal error: " + e.getClass().getSimpleName());
        }
    }

    /** The ng address ({@code udp:IP:PORT}) when the relay listens on one, else null. */
    public String engineId() {
        return engineId;
    }

    /** The ng port's decoder and its counters, or null without an ng port. */
    public NgFrontEnd ngFrontEnd() {
        return server == null ? null : server.frontEnd();
    }

    public InetSocketAddress ngAddress() {
        return server == null ? null : server.address();
    }

    /** Whether the relay terminates WebRTC media (ICE, DTLS-SRTP). */
    public boolean webrtc() {
        return webrtc != null;
    }

    public int calls() {
        return calls.size();
    }

    public long forwardedPackets() {
        return ports.forwarded();
    }

    public long droppedPackets() {
        return ports.dropped();
    }

    public String describe() {
        return "ng " + (engineId != null ? engineId : "in-process") + ", media " + config.interfaces().stream()
                .map(i -> i.name() + "=" + i.bind().getHostAddress()
                        + (i.advertised().equals(i.bind().getHostAddress()) ? "" : "!" + i.advertised()))
                .toList() + " ports " + config.portMin() + "-" + config.portMax() + " (" + ports.transport()
                + "), learning " + config.learning().name().toLowerCase() + ", timeout " + config.timeoutSeconds()
                + " s, delete-delay " + config.deleteDelaySeconds() + " s"
                + (webrtc != null ? ", WebRTC (ICE-lite, DTLS-SRTP, certificate " + webrtc.fingerprint() + ")"
                        : ", plain RTP only")
                + (announcements != null ? ", announced in the cluster" : "");
    }

    static String engineId(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return "udp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private void sweep() {
        try {
            calls.sweep(System.currentTimeMillis(), System.nanoTime());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "media relay sweep failed (retried in 1 s): " + e, e);
        }
    }

    private void announce() {
        try {
            announcements.put(engineId, new RelayAnnouncement(engineId, config.weight(), config.capacity(),
                    calls.size(), webrtc != null), ANNOUNCEMENT_TTL);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "media relay announcement failed (retried in " + ANNOUNCE_EVERY.toSeconds()
                    + " s): " + e);
        }
    }

    /** Stops announcing, ends every call (its sockets closed), stops the ng port and the media threads. */
    @Override
    public void close() {
        timers.shutdownNow();
        if (announcements != null) {
            try {
                announcements.remove(engineId);
            } catch (RuntimeException e) {
                LOG.fine("media relay announcement not withdrawn: " + e);
            }
        }
        if (server != null) {
            server.close();
        }
        int open = calls.size();
        calls.destroyAll(System.currentTimeMillis());
        ports.close();
        if (webrtc != null) {
            webrtc.close();
        }
        LOG.info("media relay stopped (" + open + " calls ended; " + ports.forwarded() + " packets relayed, "
                + ports.dropped() + " dropped; " + ports.poolEmpty() + " offers waited for a socket bind)");
    }
}
