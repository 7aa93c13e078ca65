package org.sipedge.rtpengine.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.sipedge.ng.FlagWords;
import org.sipedge.ng.NgBencode;
import org.sipedge.ng.NgCommand;
import org.sipedge.ng.NgMessage;
import org.sipedge.ng.WireText;
import org.sipedge.rtpengine.AnchorMetrics;
import org.sipedge.rtpengine.MediaAnchor;
import org.sipedge.rtpengine.MediaLeg;
import org.sipedge.rtpengine.SdpRewrite;
import org.sipedge.rtpengine.UaKind;
import org.sipedge.rtpengine.core.FlagPolicy;

/**
 * Media anchoring through rtpengine's ng protocol. Builds the request dictionaries (signalling keys in Kamailio's
 * order, then the policy's flags), picks the engine, fails an offer over to the next live engine when one does not
 * answer, and never leaves a call behind on an engine when an offer fails. One log line per decision, with the
 * Call-ID.
 */
public final class NgMediaAnchor implements MediaAnchor, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NgMediaAnchor.class.getName());

    private final EngineSet engines;
    private final FlagPolicy policy;
    private final LongAdder offers = new LongAdder();
    private final LongAdder answers = new LongAdder();
    private final LongAdder deletes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder passedThrough = new LongAdder();

    /** The engine a call sticks to (its media is there), or null. */
    public String engineOf(String callId) {
        return engines.sticky(callId).map(Engine::id).orElse(null);
    }

    public NgMediaAnchor(EngineSet engines, FlagPolicy policy) {
        this.engines = engines;
        this.policy = policy;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public SdpRewrite offer(MediaLeg leg, String sdp) {
        return offerAsync(leg, sdp).join();
    }

    @Override
    public SdpRewrite answer(MediaLeg leg, String sdp) {
        return answerAsync(leg, sdp).join();
    }

    /** Never completes exceptionally: engine trouble is a {@link SdpRewrite.Failed}. */
    @Override
    public CompletableFuture<SdpRewrite> offerAsync(MediaLeg leg, String sdp) {
        FlagWords flags = policy.offer(leg.offerer(), leg.answerer());
        Map<String, Object> request = request(NgCommand.OFFER, leg, sdp, flags);
        String callId = leg.callId();
        boolean webrtc = leg.offerer() == UaKind.WEBRTC || leg.answerer() == UaKind.WEBRTC;
        if (webrtc && !engines.anyWebrtc()) {
            passedThrough.increment();
            LOG.info("call-id=" + callId + " offer not anchored: case " + leg.offerer() + "->" + leg.answerer()
                    + " needs ICE and DTLS-SRTP termination, which no engine of " + engines + " does (the SIP Edge "
                    + "relay relays plain RTP only); the SDP passes unchanged. Name an rtpengine in "
                    + "rtpengine.engines to anchor browser calls");
            return CompletableFuture.completedFuture(new SdpRewrite.NotAnchored());
        }
        boolean newCall = engines.sticky(callId).isEmpty();
        List<Engine> candidates = engines.offerCandidates(callId, webrtc);
        if (candidates.isEmpty()) {
            failures.increment();
            LOG.warning("call-id=" + callId + " offer not anchored: every rtpengine is down " + engines);
            return CompletableFuture.completedFuture(new SdpRewrite.Failed("no live rtpengine"));
        }
        return offerOn(new OfferAttempt(leg, flags, request, newCall, candidates), 0, "");
    }

    /** An offer on its way through the candidate engines. */
    private record OfferAttempt(MediaLeg leg, FlagWords flags, Map<String, Object> request, boolean newCall,
                                List<Engine> candidates) {
    }

    /** The offer on candidate {@code i}; an engine that does not answer passes it to the next. */
    private CompletableFuture<SdpRewrite> offerOn(OfferAttempt o, int i, String lastProblem) {
        String callId = o.leg().callId();
        if (i >= o.candidates().size()) {
            failures.increment();
            LOG.warning("call-id=" + callId + " offer not anchored: no engine answered (" + lastProblem + ")");
            return CompletableFuture.completedFuture(new SdpRewrite.Failed("no rtpengine answered: " + lastProblem));
        }
        Engine engine = o.candidates().get(i);
        if (i > 0) {
            failovers.increment();
            LOG.warning("call-id=" + callId + " offer fails over to " + engine.id() + " as a new call");
        }
        long started = System.nanoTime();
        return engine.client().sendAsync(o.request()).handle((reply, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(offered(o, engine, reply, started));
            }
            Throwable e = unwrap(error);
            MediaLeg leg = o.leg();
            if (e instanceof NgTimeoutException) {
                timeouts.increment();
                engines.markFailed(engine, "offer unanswered");
                // it may have created the call and lost only the reply: delete now if it can, else when it is back
                engines.cleanUp(engine, callId, o.newCall() ? leg.offererTag() : null, true);
                LOG.warning("call-id=" + callId + " offer unanswered by " + engine.id() + " after "
                        + millis(started) + " ms; delete scheduled there");
                return offerOn(o, i + 1, e.getMessage());
            }
            failures.increment();
            if (e instanceof NgErrorException ng) {
                if (o.newCall()) {
                    // rtpengine can create the call and still fail (e.g. "Error rewriting SDP")
                    engines.cleanUp(engine, callId, leg.offererTag(), false);
                }
                LOG.warning("call-id=" + callId + " offer rejected by " + engine.id() + ": " + ng.reason()
                        + (o.newCall() ? "; call deleted" : "; existing call kept"));
            } else {
                LOG.warning("call-id=" + callId + " offer not sent to " + engine.id() + ": " + e.getMessage());
            }
            return CompletableFuture.<SdpRewrite>completedFuture(new SdpRewrite.Failed(String.valueOf(
                    e.getMessage())));
        }).thenCompose(f -> f);
    }

    private SdpRewrite offered(OfferAttempt o, Engine engine, Map<String, Object> reply, long started) {
        String callId = o.leg().callId();
        String rewritten = NgBencode.string(reply, "sdp");
        if (rewritten == null) {
            failures.increment();
            engines.cleanUp(engine, callId, o.leg().offererTag(), false);
            LOG.warning("call-id=" + callId + " offer on " + engine.id() + " answered without sdp; deleted");
            return new SdpRewrite.Failed(engine.id() + ": reply without sdp");
        }
        engines.stick(callId, engine);
        offers.increment();
        engine.offers.increment();
        LOG.info("call-id=" + callId + " offer anchored on " + engine.id() + " (case " + o.leg().offerer() + "->"
                + o.leg().answerer() + ", flags " + o.flags() + ", " + millis(started) + " ms" + warning(reply) + ")");
        return new SdpRewrite.Anchored(WireText.toText(rewritten), engine.id());
    }

    /** Never completes exceptionally: engine trouble is a {@link SdpRewrite.Failed}. */
    @Override
    public CompletableFuture<SdpRewrite> answerAsync(MediaLeg leg, String sdp) {
        String callId = leg.callId();
        FlagWords flags = policy.answer(leg.offerer(), leg.answerer());
        Optional<Engine> pinned = engines.sticky(callId);
        if (pinned.isEmpty() && (leg.offerer() == UaKind.WEBRTC || leg.answerer() == UaKind.WEBRTC)
                && !engines.anyWebrtc()) {
            return CompletableFuture.completedFuture(new SdpRewrite.NotAnchored()); // its offer passed unchanged too
        }
        if (pinned.isEmpty()) {
            failures.increment();
            LOG.warning("call-id=" + callId + " answer not anchored: no anchored offer for this call");
            return CompletableFuture.completedFuture(new SdpRewrite.Failed("no anchored offer for Call-ID " + callId));
        }
        Engine engine = pinned.get();
        long started = System.nanoTime();
        return engine.client().sendAsync(request(NgCommand.ANSWER, leg, sdp, flags)).handle((reply, error) -> {
            if (error == null) {
                String rewritten = NgBencode.string(reply, "sdp");
                if (rewritten == null) {
                    failures.increment();
                    return new SdpRewrite.Failed(engine.id() + ": reply without sdp");
                }
                answers.increment();
                engine.answers.increment();
                // FINE: the offer's line is the call's media decision; three INFO lines a call cost the anchored
                // path a measurable share of its CPU (log.levels=rtpengine=FINE shows them)
                if (LOG.isLoggable(java.util.logging.Level.FINE)) {
                    LOG.fine("call-id=" + callId + " answer anchored on " + engine.id() + " (case " + leg.offerer()
                            + "->" + leg.answerer() + ", back to " + leg.offerer() + ", flags " + flags + ", "
                            + millis(started) + " ms" + warning(reply) + ")");
                }
                return new SdpRewrite.Anchored(WireText.toText(rewritten), engine.id());
            }
            Throwable e = unwrap(error);
            failures.increment();
            if (e instanceof NgTimeoutException) {
                timeouts.increment();
                engines.markFailed(engine, "answer unanswered");
                LOG.warning("call-id=" + callId + " answer unanswered by " + engine.id()
                        + " (the call lives only there)");
            } else {
                LOG.warning("call-id=" + callId + " answer rejected by " + engine.id() + ": " + e.getMessage());
            }
            return new SdpRewrite.Failed(String.valueOf(e.getMessage()));
        });
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Override
    public void deleteCall(String callId) {
        Optional<Engine> pinned = engines.sticky(callId);
        engines.unstick(callId);
        if (pinned.isEmpty()) {
            LOG.fine(() -> "call-id=" + callId + " delete: nothing anchored");
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", NgCommand.DELETE.wireName());
        d.put("call-id", callId);
        d.put("delete-delay", 0);
        delete(pinned.get(), callId, d, "call");
    }

    @Override
    public void deleteBranch(MediaLeg leg) {
        Optional<Engine> pinned = engines.sticky(leg.callId());
        if (pinned.isEmpty()) {
            LOG.fine(() -> "call-id=" + leg.callId() + " branch delete: nothing anchored");
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", NgCommand.DELETE.wireName());
        d.put("call-id", leg.callId());
        d.put("from-tag", leg.offererTag());
        if (leg.answererTag() != null) {
            d.put("to-tag", leg.answererTag());
        }
        if (leg.branch() != null) {
            d.put("via-branch", leg.branch());
        }
        d.put("delete-delay", 0);
        delete(pinned.get(), leg.callId(), d, "branch " + leg.branch());
    }

    /** Sends the delete and returns at once; the reply (or its absence) is logged and counted when it comes. */
    private void delete(Engine engine, String callId, Map<String, Object> request, String what) {
        engine.client().exchangeAsync(request, engine.client().timeout(), engine.client().tries())
                .whenComplete((reply, error) -> {
                    if (error == null) {
                        deletes.increment();
                        engine.deletes.increment();
                        if (reply.isError() || reply.warning() != null) {
                            LOG.info("call-id=" + callId + " " + what + " deleted on " + engine.id()
                                    + (reply.warning() != null ? " (" + reply.warning() + ")" : "")
                                    + (reply.isError() ? " (error: " + reply.errorReason() + ")" : ""));
                        } else if (LOG.isLoggable(java.util.logging.Level.FINE)) {
                            LOG.fine("call-id=" + callId + " " + what + " deleted on " + engine.id());
                        }
                    } else if (unwrap(error) instanceof NgTimeoutException) {
                        timeouts.increment();
                        engines.markFailed(engine, "delete unanswered");
                        engines.cleanUp(engine, callId, null, true);
                        LOG.warning("call-id=" + callId + " " + what + " delete unanswered by " + engine.id()
                                + "; retried when it is back");
                    } else {
                        LOG.warning("call-id=" + callId + " " + what + " delete failed on " + engine.id() + ": "
                                + unwrap(error).getMessage());
                    }
                });
    }

    /**
     * The engine's {@code query} reply for a call (errors such as {@code Unknown call-id} included): asks the pinned
     * engine, else every engine until one knows the call. For tests and diagnostics.
     */
    public Map<String, Object> query(String callId) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", NgCommand.QUERY.wireName());
        request.put("call-id", callId);
        List<Engine> order = engines.sticky(callId).map(List::of).orElse(engines.engines());
        Map<String, Object> last = Map.of("result", "error", "error-reason", "no engine answered");
        for (Engine e : order) {
            try {
                NgMessage reply = e.client().exchange(request, e.client().timeout(), e.client().tries());
                last = reply.dictionary();
                if (!reply.isError()) {
                    return last;
                }
            } catch (NgException ex) {
                LOG.fine(() -> "call-id=" + callId + " query on " + e.id() + ": " + ex.getMessage());
            }
        }
        return last;
    }

    /** The ng dictionary of an offer or answer: signalling keys in Kamailio's order, then the flags. */
    static Map<String, Object> request(NgCommand command, MediaLeg leg, String sdp, FlagWords flags) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("command", command.wireName());
        d.put("call-id", leg.callId());
        d.put("from-tag", leg.offererTag()); // the offerer's tag in the answer too (ng rule)
        if (leg.answererTag() != null) {
            d.put("to-tag", leg.answererTag());
        }
        d.put("sdp", WireText.fromText(sdp));
        if (leg.branch() != null) {
            d.put("via-branch", leg.branch());
        }
        if (leg.sourceAddress() != null && !leg.sourceAddress().isBlank()) {
            String address = leg.sourceAddress().trim();
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            d.put("received-from", List.of(address.contains(":") ? "IP6" : "IP4", address));
        }
        flags.mergeInto(d);
        return d;
    }

    public EngineSet engineSet() {
        return engines;
    }

    /** Counters, totals and per engine. */
    public AnchorMetrics metrics() {
        Map<String, AnchorMetrics.Engine> per = engines.engines().stream()
                .collect(Collectors.toMap(Engine::id, Engine::metrics, (a, b) -> a, LinkedHashMap::new));
        return new AnchorMetrics(offers.sum(), answers.sum(), deletes.sum(), failures.sum(), timeouts.sum(),
                failovers.sum(), engines.cleanupSent(), engines.cleanupDropped(), per);
    }

    @Override
    public String describe() {
        return "ng engines " + engines.engines().stream().map(Engine::toString).collect(Collectors.joining(", "))
                + " (timeout " + engines.timing().timeout().toMillis() + " ms x " + engines.timing().tries() + ")";
    }

    @Override
    public void close() {
        engines.close();
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static String warning(Map<String, Object> reply) {
        String w = NgBencode.string(reply, "warning");
        return w == null ? "" : ", warning: " + w;
    }
}
