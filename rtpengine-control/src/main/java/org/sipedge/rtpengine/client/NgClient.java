package org.sipedge.rtpengine.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.ng.CookieGenerator;
import org.sipedge.ng.NgBencode;
import org.sipedge.ng.NgCodecException;
import org.sipedge.ng.NgMessage;

/**
 * ng over UDP to one engine: one connected datagram channel, one reader thread, requests waiting by cookie.
 *
 * <p>Each request gets a fresh cookie (rtpengine caches replies by cookie alone, so re-using one returns a stale
 * reply); a retransmission after a timed-out try sends the identical bytes, so rtpengine answers it from its cache
 * instead of executing it twice. Replies whose cookie nobody waits for (late, duplicate, foreign) are dropped and
 * counted. At most {@code maxPending} requests are in flight; each waits at most {@code timeout × tries}.
 */
public final class NgClient implements NgChannel {
    private static final Logger LOG = Logger.getLogger(NgClient.class.getName());
    /** Largest UDP payload; rtpengine reads up to 65535 too. */
    private static final int MAX_DATAGRAM = 65535;

    private final String id;
    private final InetSocketAddress engine;
    private final Duration timeout;
    private final int tries;
    private final int maxPending;
    private final CookieGenerator cookies;
    private final DatagramChannel channel;
    private final Thread reader;
    private final ConcurrentHashMap<String, CompletableFuture<NgMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private final LongAdder requests = new LongAdder();
    private final LongAdder retransmits = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder unknownCookies = new LongAdder();
    private final LongAdder undecodable = new LongAdder();
    private final LongAdder unreachable = new LongAdder();

    public NgClient(String id, InetSocketAddress engine, Duration timeout, int tries, int maxPending,
                    CookieGenerator cookies) throws IOException {
        if (tries < 1 || maxPending < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("tries, maxPending and timeout must be positive");
        }
        this.id = id;
        this.engine = engine;
        this.timeout = timeout;
        this.tries = tries;
        this.maxPending = maxPending;
        this.cookies = cookies;
        this.channel = DatagramChannel.open();
        channel.connect(engine); // only this engine's datagrams reach the reader
        this.reader = new Thread(this::readLoop, "sipedge-ng-" + id);
        reader.setDaemon(true);
        reader.start();
    }

    /** The engine id ({@code udp:IP:PORT}). */
    @Override
    public String id() {
        return id;
    }

    public InetSocketAddress engine() {
        return engine;
    }

    /** Sends a request and returns whatever the engine answered, errors included. */
    @Override
    public NgMessage exchange(Map<String, Object> request, Duration tryTimeout, int maxTries) throws NgException {
        if (closed) {
            throw new NgException(id, "client closed");
        }
        if (inFlight.incrementAndGet() > maxPending) {
            inFlight.decrementAndGet();
            throw new NgException(id, maxPending + " requests already in flight; not queueing more");
        }
        String cookie = cookies.next();
        CompletableFuture<NgMessage> reply = new CompletableFuture<>();
        pending.put(cookie, reply);
        requests.increment();
        try {
            byte[] datagram;
            try {
                datagram = new NgMessage(cookie, request).encode();
            } catch (NgCodecException e) {
                throw new NgException(id, "cannot encode request: " + e.getMessage(), e);
            }
            if (datagram.length > 65507) {
                throw new NgException(id, "request of " + datagram.length + " bytes does not fit a UDP datagram");
            }
            for (int attempt = 1; attempt <= maxTries; attempt++) {
                if (attempt > 1) {
                    retransmits.increment();
                }
                transmit(datagram, cookie, attempt);
                try {
                    NgMessage answer = reply.get(tryTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (answer.isError()) {
                        errors.increment();
                    }
                    return answer;
                } catch (TimeoutException e) {
                    LOG.fine(() -> id + " cookie " + cookie + ": no reply to try " + "(" + command(request) + ")");
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof PortUnreachableException) {
                        // nothing listens on the engine's port (ICMP port unreachable): waiting out the tries
                        // would only hold the caller; fail now so the request moves to another engine
                        timeouts.increment();
                        throw new NgTimeoutException(id, command(request), attempt, tryTimeout.toMillis());
                    }
                    throw new NgException(id, "client closed while waiting", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new NgException(id, "interrupted while waiting for '" + command(request) + "'");
                }
            }
            timeouts.increment();
            throw new NgTimeoutException(id, command(request), maxTries, tryTimeout.toMillis());
        } finally {
            pending.remove(cookie);
            inFlight.decrementAndGet();
        }
    }

    private void transmit(byte[] datagram, String cookie, int attempt) {
        try {
            channel.write(ByteBuffer.wrap(datagram));
        } catch (PortUnreachableException e) {
            // ICMP from an earlier datagram; this one may still go out on the next try
            LOG.fine(() -> id + " cookie " + cookie + " try " + attempt + ": port unreachable");
        } catch (IOException e) {
            LOG.log(Level.FINE, id + " cookie " + cookie + " try " + attempt + ": send failed", e);
        }
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed) {
            buffer.clear();
            try {
                channel.read(buffer);
            } catch (PortUnreachableException e) {
                // the engine's port is closed (it stopped or died): whoever waits on it is told now
                unreachable.increment();
                pending.values().forEach(f -> f.completeExceptionally(e));
                continue;
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, id + ": receive failed", e);
                }
                continue;
            }
            buffer.flip();
            NgMessage reply;
            try {
                reply = NgMessage.decode(buffer.array(), 0, buffer.limit());
            } catch (NgCodecException e) {
                undecodable.increment();
                LOG.warning(id + ": dropped an undecodable reply (" + e.getMessage() + ")");
                continue;
            }
            CompletableFuture<NgMessage> waiter = pending.get(reply.cookie());
            if (waiter == null || !waiter.complete(reply)) {
                unknownCookies.increment();
                LOG.fine(() -> id + ": dropped a reply with unknown or already answered cookie " + reply.cookie());
            }
        }
    }

    private static String command(Map<String, Object> request) {
        String c = NgBencode.string(request, "command");
        return c == null ? "?" : c;
    }

    public long requests() {
        return requests.sum();
    }

    @Override
    public long retransmits() {
        return retransmits.sum();
    }

    @Override
    public long timeouts() {
        return timeouts.sum();
    }

    @Override
    public long errors() {
        return errors.sum();
    }

    @Override
    public long unknownCookies() {
        return unknownCookies.sum();
    }

    public long undecodable() {
        return undecodable.sum();
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public int tries() {
        return tries;
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, id + ": close", e);
        }
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
