package org.sipedge.rtpengine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.Random;
import java.util.logging.Logger;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.ng.RelayAnnouncement;
import org.sipedge.rtpengine.client.EngineSet;
import org.sipedge.rtpengine.client.InProcessChannel;
import org.sipedge.rtpengine.client.NgMediaAnchor;
import org.sipedge.rtpengine.core.EngineSpec;
import org.sipedge.rtpengine.core.FlagPolicy;
import org.sipedge.store.ClusterStore;

/** Opens media anchoring as the {@code rtpengine.*} keys say. */
public final class MediaAnchors {
    private static final Logger LOG = Logger.getLogger(MediaAnchors.class.getName());
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

    /** True when {@code rtpengine.engines} names no engine (and is not {@code off}): a local relay is wanted. */
    public static boolean noEnginesConfigured(Settings settings) {
        return settings.get(RtpengineParam.ENGINES).trim().isEmpty();
    }

    /** Opens the configured engines, without a relay in this process. */
    public static ManagedMediaAnchor open(Settings settings, ClusterStore store) {
        return open(settings, store, null);
    }

    /**
     * The anchor for these settings: the configured engines, the relay in this process ({@code inProcess}, a
     * request handler; null for none) and, with a clustered store, the relays announced in it. A disabled anchor
     * ({@code enabled() == false}: offers and answers return {@link SdpRewrite.NotAnchored}) for
     * {@code rtpengine.engines=off} or when there is nothing to anchor on. Per-call state lives in {@code store}.
     */
    public static ManagedMediaAnchor open(Settings settings, ClusterStore store,
                                          UnaryOperator<Map<String, Object>> inProcess) {
        return open(settings, store, inProcess, false);
    }

    /** The same, saying whether the relay in this process terminates WebRTC media ({@code inProcessWebrtc}). */
    public static ManagedMediaAnchor open(Settings settings, ClusterStore store,
                                          UnaryOperator<Map<String, Object>> inProcess, boolean inProcessWebrtc) {
        FlagPolicy policy = FlagPolicy.fromSettings(settings);
        String configured = settings.get(RtpengineParam.ENGINES).trim();
        List<EngineSpec> specs = engines(settings);
        EngineSet.Timing timing = timing(settings);
        if (configured.equals("off")) {
            LOG.info("media anchoring off (rtpengine.engines=off)");
            return new DisabledMediaAnchor("rtpengine.engines=off");
        }
        boolean clustered = !store.kind().equals("memory");
        if (specs.isEmpty() && inProcess == null && !clustered) {
            LOG.info("media anchoring off: rtpengine.engines is empty and no relay runs in this process");
            return new DisabledMediaAnchor("no engine configured and no relay in this process");
        }
        try {
            EngineSet set = new EngineSet(specs, timing, store.map(CALLS_MAP), store.map(ORPHANS_MAP), new Random());
            if (inProcess != null) {
                set.addInProcess(new InProcessChannel(inProcess, timing.timeout(), timing.tries()), 1,
                        inProcessWebrtc);
            }
            if (clustered) {
                set.followAnnouncements(store.map(RelayAnnouncement.MAP));
            }
            set.start();
            NgMediaAnchor anchor = new NgMediaAnchor(set, policy);
            LOG.info("media anchoring: " + anchor.describe()
                    + (clustered ? "; relays announced in the cluster store join" : ""));
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

    /** The ng anchor behind the managed interface. */
    private record Managed(NgMediaAnchor ng) implements ManagedMediaAnchor {
        @Override public boolean enabled() { return true; }
        @Override public SdpRewrite offer(MediaLeg leg, String sdp) { return ng.offer(leg, sdp); }
        @Override public SdpRewrite answer(MediaLeg leg, String sdp) { return ng.answer(leg, sdp); }
        @Override public java.util.concurrent.CompletableFuture<SdpRewrite> offerAsync(MediaLeg leg, String sdp) {
            return ng.offerAsync(leg, sdp);
        }
        @Override public java.util.concurrent.CompletableFuture<SdpRewrite> answerAsync(MediaLeg leg, String sdp) {
            return ng.answerAsync(leg, sdp);
        }
        @Override public void deleteCall(String callId) { ng.deleteCall(callId); }
        @Override public void deleteBranch(MediaLeg leg) { ng.deleteBranch(leg); }
        @Override public String describe() { return ng.describe(); }
        @Override public AnchorMetrics metrics() { return ng.metrics(); }
        @Override public Map<String, Object> query(String callId) { return ng.query(callId); }
        @Override public String engineOf(String callId) { return ng.engineOf(callId); }
        @Override public void close() { ng.close(); }
    }
}
