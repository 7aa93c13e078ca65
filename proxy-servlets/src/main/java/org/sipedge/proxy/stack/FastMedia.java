package org.sipedge.proxy.stack;

import gov.nist.javax.sip.header.ContentType;
import gov.nist.javax.sip.message.SIPMessage;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.sipedge.proxy.core.ShortLivedTable;
import org.sipedge.rtpengine.MediaAnchor;
import org.sipedge.rtpengine.SdpRewrite;

/**
 * Media anchoring on the fast path: the engine's SDP put into a message, one ng round trip per transaction however
 * often the message is retransmitted, the call's delete, and which calls carried a late offer (the ACK answers it).
 * Offers and answers are futures: the fast path forwards the message when the engine has answered, on the thread
 * that completes it, and no SIP thread waits.
 */
final class FastMedia {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy.fast");

    private record AnchoredSdp(String in, SdpRewrite out) {
    }

    /** What the fast path does once the engine has answered. */
    interface Step {
        void run(SdpRewrite r) throws Exception;
    }

    private final MediaAnchor media;
    private final boolean rejectOnMediaFailure;
    private final org.sipedge.proxy.core.Handoff handoff;
    private final LongAdder dropped;
    /**
     * The engine's SDP for an initial INVITE's offer and for its answers, by transaction, for 8 s (a caller's or a
     * callee's retransmissions come within 7.5 s): a retransmitted INVITE or 2xx with the same SDP gets the same
     * anchored SDP without another ng round trip — under load every retransmission would otherwise cost the engine
     * once more, right when it is short.
     */
    private final ShortLivedTable<String, AnchoredSdp> anchoredByTransaction =
            new ShortLivedTable<>(8_000, 50_000, System::nanoTime);
    /** Call-IDs whose 2xx carried a late offer that we anchored: the ACK's SDP is its answer. */
    private final ShortLivedTable<String, Boolean> lateOffers;
    private final LongAdder anchorsReused = new LongAdder();
    private final LongAdder failures = new LongAdder();

    FastMedia(MediaAnchor media, boolean rejectOnMediaFailure, org.sipedge.proxy.core.Handoff handoff,
              LongAdder dropped, long transactionMillis, int tableLimit) {
        this.media = media;
        this.rejectOnMediaFailure = rejectOnMediaFailure;
        this.handoff = handoff;
        this.dropped = dropped;
        this.lateOffers = new ShortLivedTable<>(transactionMillis, tableLimit, System::nanoTime);
    }

    boolean enabled() {
        return media.enabled();
    }

    MediaAnchor anchor() {
        return media;
    }

    /** The engine's answer for this transaction's SDP: from an earlier copy of the message, or asked now. */
    CompletableFuture<SdpRewrite> once(String transaction, String sdp, Supplier<CompletableFuture<SdpRewrite>> ng) {
        AnchoredSdp earlier = anchoredByTransaction.get(transaction);
        if (earlier != null && earlier.in().equals(sdp)) {
            anchorsReused.increment();
            return CompletableFuture.completedFuture(earlier.out());
        }
        return ng.get().thenApply(r -> {
            if (r instanceof SdpRewrite.Anchored) {
                anchoredByTransaction.put(transaction, new AnchoredSdp(sdp, r)); // full table: simply not kept
            }
            return r;
        });
    }

    /**
     * Runs {@code step} with the engine's answer: at once when it is there, else on the thread that completes it
     * (the ng reader). False when too many messages wait for the engine already ({@code proxy.max-waiting}): the
     * caller answers 503 or drops. A step that throws counts as a drop (the sender retransmits).
     */
    boolean then(CompletableFuture<SdpRewrite> f, String callId, Step step) {
        return handoff.then(f, Runnable::run, (r, e) -> {
            String before = org.sipedge.container.CallLog.enter(callId);
            try {
                if (e != null) {
                    throw new IllegalStateException("media step failed", e);
                }
                step.run(r);
            } catch (Exception x) {
                dropped.increment();
                LOG.log(java.util.logging.Level.FINE, "fast path dropped a message after its media step call-id="
                        + callId + ": " + x, x);
            } finally {
                org.sipedge.container.CallLog.restore(before);
            }
        });
    }

    /**
     * Sends the request once its offer is anchored (503 when the engine failed and policy refuses, or too many wait
     * already); {@code finished} runs once it was sent or refused. Null when that happens later, on the engine's thread; true when it happened now.
     */
    Boolean forwardWhenAnchored(CompletableFuture<SdpRewrite> offer, gov.nist.javax.sip.message.SIPRequest req,
                                FastAnswer answer, Runnable finished, Runnable refused, Runnable send) {
        boolean now = offer.isDone();
        boolean accepted = then(offer, UdpFastProxy.callId(req), r -> {
            try {
                if (!apply(req, r)) {
                    refused.run();
                    answer.send(req, 503, "Media Relay Unavailable");
                } else {
                    send.run();
                }
            } finally {
                finished.run();
            }
        });
        if (!accepted) {
            if (handoff.logRefusal(System.nanoTime())) {
                LOG.warning("fast path: new call call-id=" + UdpFastProxy.callId(req) + " -> 503 Overloaded: " + handoff.limit()
                        + " messages already wait for the media engine (proxy.max-waiting; at most one such line a "
                        + "second, all counted in RefusedWaiting503)");
            }
            finished.run();
            refused.run();
            answer.send(req, 503, "Overloaded");
            return true;
        }
        return now ? Boolean.TRUE : null;
    }

    /** Puts the engine's SDP into the message; false when the call must be refused (engine failed, policy reject). */
    boolean apply(SIPMessage msg, SdpRewrite r) {
        if (r instanceof SdpRewrite.Anchored a) {
            ContentType ct = msg.getContentTypeHeader();
            msg.setMessageContent(ct.getContentType(), ct.getContentSubType(),
                    a.sdp().getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if (r instanceof SdpRewrite.Failed f) {
            failures.increment();
            LOG.warning("media anchoring failed call-id=" + UdpFastProxy.callId(msg) + ": " + f.reason()
                    + (rejectOnMediaFailure ? " (refusing the call)" : " (SDP passed through)"));
            return !rejectOnMediaFailure;
        }
        return true;
    }

    /** The call ended or failed: nothing stays behind in the engine (the delete does not wait for it). */
    void delete(String callId) {
        media.deleteCall(callId);
    }

    void lateOffer(String callId) {
        lateOffers.put(callId, Boolean.TRUE);
    }

    /** True once per call whose 2xx carried a late offer we anchored: the ACK's SDP answers it. */
    boolean takeLateOffer(String callId) {
        return lateOffers.remove(callId) != null;
    }

    static boolean hasSdp(SIPMessage m) {
        ContentType ct = m.getContentTypeHeader();
        byte[] raw = m.getRawContent();
        return raw != null && raw.length > 0 && ct != null && "application".equalsIgnoreCase(ct.getContentType())
                && "sdp".equalsIgnoreCase(ct.getContentSubType());
    }

    static String body(SIPMessage m) {
        return new String(m.getRawContent(), StandardCharsets.UTF_8);
    }

    long anchorsReused() {
        return anchorsReused.sum();
    }

    long failures() {
        return failures.sum();
    }
}
