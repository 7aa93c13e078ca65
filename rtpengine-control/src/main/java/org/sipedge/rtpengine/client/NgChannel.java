package org.sipedge.rtpengine.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /**
     * {@link #send} without waiting: completes with the reply dictionary, or exceptionally with the exceptions
     * {@link #send} throws.
     */
    default CompletableFuture<Map<String, Object>> sendAsync(Map<String, Object> request) {
        return exchangeAsync(request, timeout(), tries()).thenApply(reply -> {
            if (reply.isError()) {
                String reason = reply.errorReason();
                throw new CompletionException(new NgErrorException(id(), NgBencode.string(request, "command"),
                        reason == null ? "(no error-reason)" : reason, reply.dictionary()));
            }
            return reply.dictionary();
        });
    }

    /**
     * {@link #exchange} without waiting. This default waits (for channels whose exchange is a call in this process);
     * {@link NgClient} does not.
     */
    default CompletableFuture<NgMessage> exchangeAsync(Map<String, Object> request, Duration tryTimeout,
                                                      int maxTries) {
        try {
            return CompletableFuture.completedFuture(exchange(request, tryTimeout, maxTries));
        } catch (NgException e) {
            return CompletableFuture.failedFuture(e);
        }
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
