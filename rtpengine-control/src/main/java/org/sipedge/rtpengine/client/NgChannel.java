package org.sipedge.rtpengine.client;

import java.time.Duration;
import java.util.Map;
import org.sipedge.ng.NgBencode;
import org.sipedge.ng.NgMessage;

/**
 * How requests reach one engine: ng over UDP ({@link NgClient}) or a relay in this process
 * ({@link InProcessChannel}, no datagram at all). The engine set treats both alike.
 */
public interface NgChannel extends AutoCloseable {
    /** The engine id ({@code udp:IP:PORT}, or {@code in-process}). */
    String id();

    /**
     * Sends a request with the configured timeout and tries; returns the reply dictionary.
     *
     * @throws NgErrorException   the engine answered {@code result: error}
     * @throws NgTimeoutException no reply after every try
     * @throws NgException        too many requests in flight, request too large, channel closed
     */
    default Map<String, Object> send(Map<String, Object> request) throws NgException {
        NgMessage reply = exchange(request, timeout(), tries());
        if (reply.isError()) {
            String reason = reply.errorReason();
            throw new NgErrorException(id(), NgBencode.string(request, "command"), reason == null ? "(no error-reason)"
                    : reason, reply.dictionary());
        }
        return reply.dictionary();
    }

    /** Sends a request and returns whatever the engine answered, errors included (and counted). */
    NgMessage exchange(Map<String, Object> request, Duration tryTimeout, int maxTries) throws NgException;

    Duration timeout();

    int tries();

    long errors();

    long timeouts();

    long retransmits();

    long unknownCookies();

    int inFlight();

    @Override
    void close();
}
