package org.sipedge.rtpengine.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgCommand;
import org.sipedge.ng.NgMessage;
import org.sipedge.ng.RelayAnnouncement;
import org.sipedge.rtpengine.core.EngineHealth;
import org.sipedge.rtpengine.core.EngineSpec;
import org.sipedge.rtpengine.core.WeightedOrder;
import org.sipedge.store.ExpiringMap;

/**
 * The configured engines: health by periodic ping, weighted choice for new calls, Call-ID → engine stickiness, and
 * clean-up deletes for calls that may have been left behind on an engine that stopped answering.
 *
 * <p>State with per-call keys lives in two {@link ExpiringMap}s: {@code calls} (Call-ID → engine id, refreshed on
 * use, expiring after {@code callExpiry}) and the clean-up deletes still owed, which {@link CleanupDeletes} keeps and
 * sends.
 */
public final class EngineSet implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EngineSet.class.getName());
    /** Calls remembered for a delete when their engine comes back. */
    public static final int MAX_ORPHANS = CleanupDeletes.MAX_ORPHANS;

    /** How requests are sent and how health is judged. */
    public record Timing(Duration timeout, int tries, Duration pingInterval, int downAfter, Duration callExpiry,
                         int maxPending) {
    }

    private final List<Engine> engines = new CopyOnWriteArrayList<>();
    private final Map<String, Engine> byId = new ConcurrentHashMap<>();
    private final CookieGenerator cookies = new CookieGenerator();
    /** How often the relay announcements are read (a relay announces every 2 s; an entry lives 6 s). */
    static final Duration FOLLOW_EVERY = Duration.ofSeconds(2);
    private volatile ExpiringMap<RelayAnnouncement> announcements;
    private final Timing timing;
    private final ExpiringMap<String> calls;
    private final CleanupDeletes cleanups;
    private final RandomGenerator random;
    private final ScheduledExecutorService pinger;

    public EngineSet(List<EngineSpec> specs, Timing timing, ExpiringMap<String> calls, ExpiringMap<String> orphans,
                     RandomGenerator random) throws IOException {
        this.timing = timing;
        this.calls = calls;
        this.random = random;
        try {
            for (EngineSpec spec : specs) {
                NgClient client = new NgClient(spec.id(), new InetSocketAddress(spec.host(), spec.port()),
                        timing.timeout(), timing.tries(), timing.maxPending(), cookies);
                add(new Engine(spec.id(), Engine.Origin.CONFIGURED, spec.weight(), true, client,
                        new EngineHealth(timing.downAfter())));
            }
        } catch (IOException | RuntimeException e) {
            engines.forEach(x -> x.client().close());
            throw e;
        }
        this.pinger = Executors.newSingleThreadScheduledExecutor(daemonFactory("sipedge-rtpengine-ping"));
        this.cleanups = new CleanupDeletes(orphans, timing, daemonFactory("sipedge-rtpengine-cleanup"));
    }

    private void add(Engine e) {
        byId.put(e.id(), e);
        engines.add(e);
    }

    /**
     * Adds the relay running in this process (requests go to {@code channel} directly). It never answers late: its
     * health only changes when its handler fails.
     */
    public void addInProcess(NgChannel channel, int weight, boolean webrtc) {
        add(new Engine(channel.id(), Engine.Origin.IN_PROCESS, weight, webrtc, channel,
                new EngineHealth(timing.downAfter())));
    }

    /**
     * Follows the relays announced in the cluster store: a new one joins the set (ng over UDP, its announced weight),
     * a known one takes its announced weight, one that is full or whose announcement lapsed gets no new calls (its
     * calls go on). A configured engine with the same id stays as configured.
     */
    public void follow(Map<String, RelayAnnouncement> announced) {
        for (RelayAnnouncement a : announced.values()) {
            Engine e = byId.get(a.engineId());
            if (e == null) {
                EngineSpec spec;
                try {
                    spec = EngineSpec.parse(a.engineId());
                } catch (IllegalArgumentException ex) {
                    LOG.warning("relay announcement ignored: '" + a.engineId() + "' " + ex.getMessage());
                    continue;
                }
                try {
                    NgClient client = new NgClient(spec.id(), new InetSocketAddress(spec.host(), spec.port()),
                            timing.timeout(), timing.tries(), timing.maxPending(), cookies);
                    e = new Engine(spec.id(), Engine.Origin.ANNOUNCED, Math.max(1, a.weight()), a.webrtc(), client,
                            new EngineHealth(timing.downAfter()));
                    add(e);
                    LOG.info("relay " + e.id() + " announced in the cluster (weight " + a.weight() + ", capacity "
                            + a.capacity() + (a.webrtc() ? "" : ", plain RTP only") + "); it takes new calls");
                } catch (IOException ex) {
                    LOG.warning("relay " + a.engineId() + " announced, but no ng socket for it: " + ex.getMessage());
                    continue;
                }
            } else if (e.origin() == Engine.Origin.ANNOUNCED) {
                if (e.withdrawn() && !a.full()) {
                    LOG.info("relay " + e.id() + " announced again; it takes new calls");
                }
                e.announced(Math.max(1, a.weight()), a.webrtc());
            }
            if (e.origin() == Engine.Origin.ANNOUNCED && a.full() && !e.withdrawn()) {
                e.withdraw();
                LOG.warning("relay " + e.id() + " is full (" + a.calls() + " of " + a.capacity()
                        + " calls); no new calls until it has room");
            }
        }
        for (Engine e : engines) {
            if (e.origin() == Engine.Origin.ANNOUNCED && !announced.containsKey(e.id()) && !e.withdrawn()) {
                e.withdraw();
                LOG.warning("relay " + e.id() + " no longer announced (stopped, or cut off from the cluster); "
                        + "no new calls go there");
            }
        }
    }

    private static ThreadFactory daemonFactory(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts the periodic pings (the first round at once). */
    public void start() {
        long ms = timing.pingInterval().toMillis();
        pinger.scheduleWithFixedDelay(this::pingAll, 0, ms, TimeUnit.MILLISECONDS);
        if (announcements != null) {
            pinger.scheduleWithFixedDelay(this::readAnnouncements, 0, FOLLOW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Relays announced in {@code map} join the set ({@link #follow}); read every {@link #FOLLOW_EVERY}. */
    public void followAnnouncements(ExpiringMap<RelayAnnouncement> map) {
        this.announcements = map;
    }

    private void readAnnouncements() {
        try {
            Map<String, RelayAnnouncement> now = new LinkedHashMap<>();
            announcements.forEach(now::put);
            follow(now);
        } catch (RuntimeException e) {
            LOG.warning("relay announcements not read (retried in " + FOLLOW_EVERY.toSeconds() + " s): " + e);
        }
    }

    public List<Engine> engines() {
        return engines;
    }

    public Timing timing() {
        return timing;
    }

    /** One ping round: one try per engine; updates health and sends pending clean-up deletes to engines that came back. */
    public void pingAll() {
        for (Engine e : engines) {
            boolean pong;
            try {
                NgMessage reply = e.client().exchange(Map.of("command", NgCommand.PING.wireName()),
                        timing.timeout(), 1);
                pong = NgMessage.RESULT_PONG.equals(reply.result());
            } catch (NgException ex) {
                pong = false;
            }
            EngineHealth.Change change = pong ? e.health().success() : e.health().failure();
            if (!pong) {
                e.pingFailures.increment();
            }
            if (change == EngineHealth.Change.WENT_DOWN) {
                LOG.warning("rtpengine " + e.id() + " is down (" + timing.downAfter() + " pings unanswered)");
            } else if (change == EngineHealth.Change.CAME_UP) {
                LOG.info("rtpengine " + e.id() + " is up again");
            }
            if (pong) {
                cleanups.engineAnswers(e);
            }
        }
    }

    /** The engine a call is pinned to, refreshing the pin; empty for a new (or expired) call. */
    public Optional<Engine> sticky(String callId) {
        Optional<Engine> e = calls.get(callId).map(byId::get);
        e.ifPresent(engine -> calls.put(callId, engine.id(), timing.callExpiry()));
        return e;
    }

    /**
     * Engines to try for an offer, in order: the call's engine first if it is pinned and up, then the other live
     * engines in weighted random order. Empty when every engine is down. With {@code webrtc}, only engines that
     * terminate ICE and DTLS-SRTP.
     */
    public List<Engine> offerCandidates(String callId, boolean webrtc) {
        Optional<Engine> pinned = sticky(callId);
        List<Engine> live = new ArrayList<>();
        for (Engine e : engines) {
            if (e.isUp() && (!webrtc || e.webrtc()) && (pinned.isEmpty() || e != pinned.get())) {
                live.add(e);
            }
        }
        List<Engine> out = new ArrayList<>(WeightedOrder.order(live, Engine::weight, random));
        if (pinned.isPresent() && pinned.get().isUp()) {
            out.add(0, pinned.get());
        }
        return out;
    }

    public List<Engine> offerCandidates(String callId) {
        return offerCandidates(callId, false);
    }

    /** True when some engine of the set (up or not) terminates WebRTC media. */
    public boolean anyWebrtc() {
        for (Engine e : engines) {
            if (e.webrtc()) {
                return true;
            }
        }
        return false;
    }

    /** Pins a call to an engine (and forgets any clean-up pending for the call on that engine). */
    public void stick(String callId, Engine engine) {
        calls.put(callId, engine.id(), timing.callExpiry());
        cleanups.forget(engine, callId);
    }

    public void unstick(String callId) {
        calls.remove(callId);
    }

    /** An engine left a call request unanswered: down until a ping says otherwise. */
    public void markFailed(Engine engine, String why) {
        if (engine.health().markDown() == EngineHealth.Change.WENT_DOWN) {
            LOG.warning("rtpengine " + engine.id() + " is down (" + why + ")");
        }
    }

    /**
     * The engine may hold a call it never confirmed: delete it as soon as possible. One attempt now (in the
     * background), and again when a ping shows the engine is answering.
     */
    public void cleanUp(Engine engine, String callId, String fromTag, boolean whenBackToo) {
        cleanups.cleanUp(engine, callId, fromTag, whenBackToo);
    }

    /** Clean-up deletes pending for engines that have not answered since. */
    public int pendingCleanups() {
        return cleanups.pending();
    }

    public long cleanupSent() {
        return cleanups.sent();
    }

    public long cleanupDropped() {
        return cleanups.dropped();
    }

    /** Waits until queued clean-up deletes ran (tests, orderly stop); false when {@code max} passed first. */
    public boolean awaitCleanups(Duration max) {
        return cleanups.await(max);
    }

    @Override
    public void close() {
        pinger.shutdownNow();
        cleanups.close(timing.timeout().multipliedBy(2));
        engines.forEach(e -> e.client().close());
    }

    @Override
    public String toString() {
        return engines.toString();
    }
}
