package org.sipedge.rtpengine.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.sipedge.ng.NgBencode;
import org.sipedge.ng.NgMessage;

/**
 * A media relay in this JVM: the request dictionary goes straight to its command handler (the same one its ng port
 * serves), no datagram, no timeout; the dictionary is only reshaped to what the wire would deliver. A handler that throws counts as an unanswered request.
 */
public final class InProcessChannel implements NgChannel {
    public static final String ID = "in-process";
    private static final String COOKIE = "in-process";

    private final UnaryOperator<Map<String, Object>> handler;
    private final Duration timeout;
    private final int tries;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder errors = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile boolean closed;

    public InProcessChannel(UnaryOperator<Map<String, Object>> handler, Duration timeout, int tries) {
        this.handler = handler;
        this.timeout = timeout;
        this.tries = tries;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public NgMessage exchange(Map<String, Object> request, Duration tryTimeout, int maxTries) throws NgException {
        if (closed) {
            throw new NgException(ID, "relay stopped");
        }
        inFlight.incrementAndGet();
        try {
            // wire-shaped both ways: each side sees what the ng port would give it (a Long, never an Integer)
            NgMessage reply = new NgMessage(COOKIE,
                    NgBencode.wireShapeDictionary(handler.apply(NgBencode.wireShapeDictionary(request))));
            if (reply.isError()) {
                errors.increment();
            }
            return reply;
        } catch (RuntimeException e) {
            failures.increment();
            throw new NgTimeoutException(ID, command(request), 1, 0);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static String command(Map<String, Object> request) {
        String c = NgBencode.string(request, "command");
        return c == null ? "?" : c;
    }

    @Override public Duration timeout() { return timeout; }
    @Override public int tries() { return tries; }
    @Override public long errors() { return errors.sum(); }
    @Override public long timeouts() { return failures.sum(); }
    @Override public long retransmits() { return 0; }
    @Override public long unknownCookies() { return 0; }
    @Override public int inFlight() { return inFlight.get(); }

    @Override
    public void close() {
        closed = true;
    }
}
