package org.sipedge.relay.webrtc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipedge.relay.dtls.DtlsSrtp;
import org.sipedge.relay.dtls.Fingerprint;
import org.sipedge.relay.dtls.RelayCertificate;
import org.sipedge.relay.ice.StunResponder;

/**
 * What every WebRTC endpoint of one relay shares: the relay's certificate (generated once at start, reused while
 * it runs), the ICE credential store, the DTLS-SRTP engine with its failure counters, and the handshake threads.
 * A bctls handshake blocks its thread until it ends, so each running handshake holds one; past
 * {@code maxHandshakes} at once a new one is refused and counted ({@link DtlsSrtp.Failure#OVERLOAD}).
 */
public final class WebRtcContext implements AutoCloseable {
    /** A handshake that has not finished in this time ends its stream (the 10 s). */
    public static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final StunResponder stun = new StunResponder();
    private final DtlsSrtp dtls;
    private final ThreadPoolExecutor handshakes;
    private final int timeoutMillis;

    public WebRtcContext(int maxHandshakes) {
        this(RelayCertificate.generate(), maxHandshakes, HANDSHAKE_TIMEOUT_MILLIS);
    }

    public WebRtcContext(RelayCertificate certificate, int maxHandshakes, int timeoutMillis) {
        this.dtls = new DtlsSrtp(certificate);
        this.timeoutMillis = timeoutMillis;
        AtomicInteger n = new AtomicInteger();
        this.handshakes = new ThreadPoolExecutor(0, maxHandshakes, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "sipedge-relay-dtls-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** A new endpoint with fresh ICE credentials; {@code name} appears in its log lines (Call-ID, party). */
    public WebRtcEndpoint newEndpoint(String name, WebRtcEndpoint.Sender sender) {
        return new WebRtcEndpoint(name, stun, stun.newCredentials(), dtls, handshakes, timeoutMillis, sender);
    }

    /** The relay certificate's fingerprint, for {@code a=fingerprint}. */
    public Fingerprint fingerprint() {
        return dtls.certificate().fingerprint();
    }

    public StunResponder stun() {
        return stun;
    }

    public DtlsSrtp dtls() {
        return dtls;
    }

    /** Handshakes running now. */
    public int handshaking() {
        return handshakes.getActiveCount();
    }

    /**
     * Counters for the relay's statistics: handshakes completed and failed by cause, STUN datagrams by verdict
     * (rtpengine-style names with spaces).
     */
    public Map<String, Object> statistics() {
        Map<String, Object> dtlsStats = new LinkedHashMap<>();
        dtlsStats.put("completed", dtls.completed());
        dtlsStats.put("running", (long) handshaking());
        for (DtlsSrtp.Failure f : DtlsSrtp.Failure.values()) {
            dtlsStats.put(f.name().toLowerCase().replace('_', ' '), dtls.failures(f));
        }
        Map<String, Object> stunStats = new LinkedHashMap<>();
        for (StunResponder.Verdict v : StunResponder.Verdict.values()) {
            stunStats.put(v.name().toLowerCase().replace('_', ' '), stun.count(v));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("DTLS", dtlsStats);
        out.put("STUN", stunStats);
        return out;
    }

    @Override
    public void close() {
        handshakes.shutdownNow();
    }
}
