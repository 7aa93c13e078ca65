package org.sipedge.rtpengine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Logger;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgCommand;
import org.sipedge.ng.NgMessage;
import org.sipedge.rtpengine.client.EngineSet;
import org.sipedge.rtpengine.client.NgClient;
import org.sipedge.rtpengine.client.NgException;
import org.sipedge.rtpengine.client.NgMediaAnchor;
import org.sipedge.rtpengine.core.EngineSpec;
import org.sipedge.rtpengine.core.FlagPolicy;
import org.sipedge.store.ClusterStore;

/** Opens media anchoring as the {@code rtpengine.*} keys say. */
public final class MediaAnchors {
    private static final Logger LOG = Logger.getLogger(MediaAnchors.class.getName());
    /** Where auto mode looks for an engine. */
    public static final String AUTO_ENGINE = "udp:127.0.0.1:22222";
    /** Names of the store maps used (Call-ID → engine; engine|Call-ID → from-tag awaiting clean-up). */
    public static final String CALLS_MAP = "rtpengine.calls";
    public static final String ORPHANS_MAP = "rtpengine.orphans";

    private MediaAnchors() {
    }

    /**
     * Checks what {@link org.sipedge.config.ValueType} cannot: the engine list and the eight flag strings. Throws
     * {@link ConfigException} naming the key. Opens nothing; call it with the rest of the config validation.
     */
    public static void validate(Settings settings) {
        engines(settings);
        FlagPolicy.fromSettings(settings);
    }

    /**
     * The anchor for these settings: ng to the configured engines, or a disabled anchor ({@code enabled() == false},
     * offers and answers return {@link SdpRewrite.NotAnchored}) for {@code rtpengine.engines=off} or when auto mode
     * finds no engine. Per-call state lives in {@code store}.
     */
    public static ManagedMediaAnchor open(Settings settings, ClusterStore store) {
        FlagPolicy policy = FlagPolicy.fromSettings(settings);
        String configured = settings.get(RtpengineParam.ENGINES).trim();
        List<EngineSpec> specs = engines(settings);
        EngineSet.Timing timing = timing(settings);
        if (configured.equals("off")) {
            LOG.info("media anchoring off (rtpengine.engines=off)");
            return new DisabledMediaAnchor("rtpengine.engines=off");
        }
        if (specs.isEmpty()) {
            EngineSpec auto = EngineSpec.parse(AUTO_ENGINE);
            if (!answersPing(auto, timing)) {
                LOG.info("media anchoring off: rtpengine.engines is empty and nothing answered ping on " + AUTO_ENGINE);
                return new DisabledMediaAnchor("no rtpengine answered ping on " + AUTO_ENGINE);
            }
            LOG.info("rtpengine.engines is empty; " + AUTO_ENGINE + " answered ping, anchoring there");
            specs = List.of(auto);
        }
        try {
            EngineSet set = new EngineSet(specs, timing, store.map(CALLS_MAP), store.map(ORPHANS_MAP), new Random());
            set.start();
            NgMediaAnchor anchor = new NgMediaAnchor(set, policy);
            LOG.info("media anchoring: " + anchor.describe());
            return new Managed(anchor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open ng sockets", e);
        }
    }

    static List<EngineSpec> engines(Settings settings) {
        String text = settings.get(RtpengineParam.ENGINES).trim();
        if (text.equals("off")) {
            return List.of();
        }
        try {
            return EngineSpec.parseList(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(RtpengineParam.ENGINES.key(), settings.sourceOf(RtpengineParam.ENGINES),
                    e.getMessage());
        }
    }

    static EngineSet.Timing timing(Settings settings) {
        return new EngineSet.Timing(Duration.ofMillis(settings.getLong(RtpengineParam.TIMEOUT_MS)),
                settings.getInt(RtpengineParam.TRIES), Duration.ofSeconds(settings.getLong(RtpengineParam.PING_INTERVAL)),
                settings.getInt(RtpengineParam.DOWN_AFTER), Duration.ofSeconds(settings.getLong(RtpengineParam.CALL_EXPIRY)),
                settings.getInt(RtpengineParam.MAX_PENDING));
    }

    /**
     * How long auto mode waits for a pong per try. The probe goes to loopback, where a live engine answers within
     * milliseconds; waiting the full ng timeout (1 s x tries) would hold start-up for seconds when none runs.
     */
    static final Duration AUTO_PROBE_TIMEOUT = Duration.ofMillis(200);

    private static boolean answersPing(EngineSpec spec, EngineSet.Timing timing) {
        if (nothingListens(spec)) {
            return false;
        }
        Duration wait = timing.timeout().compareTo(AUTO_PROBE_TIMEOUT) < 0 ? timing.timeout() : AUTO_PROBE_TIMEOUT;
        try (NgClient probe = new NgClient(spec.id(), new InetSocketAddress(spec.host(), spec.port()),
                wait, 1, 4, new CookieGenerator())) {
            NgMessage reply = probe.exchange(Map.of("command", NgCommand.PING.wireName()), wait,
                    Math.min(2, timing.tries()));
            return NgMessage.RESULT_PONG.equals(reply.result());
        } catch (IOException | NgException e) {
            return false;
        }
    }

    /**
     * True when the kernel says at once that no socket is bound there: a connected UDP socket on loopback gets the
     * ICMP port-unreachable as an error on the next receive, so start-up does not wait for a timeout when no engine
     * runs. Anything else (an answer, silence, another error) is left to the real ping.
     */
    static boolean nothingListens(EngineSpec spec) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
            s.connect(new InetSocketAddress(spec.host(), spec.port()));
            byte[] ping = ("sipedge_probe_" + ProcessHandle.current().pid() + " d7:command4:pinge")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.send(new java.net.DatagramPacket(ping, ping.length));
            s.setSoTimeout(50);
            s.receive(new java.net.DatagramPacket(new byte[2048], 2048));
            return false; // something answered
        } catch (java.net.PortUnreachableException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The ng anchor behind the managed interface. */
    private record Managed(NgMediaAnchor ng) implements ManagedMediaAnchor {
        @Override public boolean enabled() { return true; }
        @Override public SdpRewrite offer(MediaLeg leg, String sdp) { return ng.offer(leg, sdp); }
        @Override public SdpRewrite answer(MediaLeg leg, String sdp) { return ng.answer(leg, sdp); }
        @Override public void deleteCall(String callId) { ng.deleteCall(callId); }
        @Override public void deleteBranch(MediaLeg leg) { ng.deleteBranch(leg); }
        @Override public String describe() { return ng.describe(); }
        @Override public AnchorMetrics metrics() { return ng.metrics(); }
        @Override public Map<String, Object> query(String callId) { return ng.query(callId); }
        @Override public void close() { ng.close(); }
    }
}
