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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * counted. At most {@code maxPending} requests are in flight; each lasts at most {@code timeout × tries}. No thread
 * waits for a reply unless its caller chooses to ({@link #exchange}): {@link #exchangeAsync} returns a future.
 */
public final class NgClient implements NgChannel {
    private static final Logger LOG = Logger.getLogger(NgClient.class.getName());
    /** Largest UDP payload; rtpengine reads up to 65535 too. */
    private static final int MAX_DATAGRAM = 65535;

    /** Receive buffer requested for the engine's answers (4 MB, as the relay's ng server and the SIP sockets). */
    static final int RECEIVE_BUFFER = 4 << 20;

    private final String id;
    private final InetSocketAddress engine;
    private final Duration timeout;
    private final int tries;
    private final int maxPending;
    private final CookieGenerator cookies;
    private final DatagramChannel channel;
    private final Thread reader;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** Times every client's tries: one daemon thread, cancelled timers removed at once. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();
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
        // the default (net.core.rmem_default, 208 KB: about 100 answers with SDP) overflowed in a 40-80 ms GC pause
        // at 1,200 anchored calls/s, and every answer lost there became a retry a whole timeout later; the kernel
        // caps the request at net.core.rmem_max
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
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

    /** Sends a request and returns whatever the engine answered, errors included; waits for it. */
    @Override
    public NgMessage exchange(Map<String, Object> request, Duration tryTimeout, int maxTries) throws NgException {
        try {
            return exchangeAsync(request, tryTimeout, maxTries).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof NgException ng) {
                throw ng;
            }
            throw new NgException(id, "exchange failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Sends a request and completes with whatever the engine answered, errors included. No thread waits: the tries
     * are timed on a shared timer thread and the reply completes the future on this client's reader thread (keep
     * what runs on it short). Completes exceptionally with {@link NgTimeoutException} after the last try (at once
     * when the engine's port is unreachable) and {@link NgException} when refused before sending.
     */
    @Override
    public CompletableFuture<NgMessage> exchangeAsync(Map<String, Object> request, Duration tryTimeout,
                                                      int maxTries) {
        if (closed) {
            return CompletableFuture.failedFuture(new NgException(id, "client closed"));
        }
        String cookie = cookies.next();
        byte[] datagram;
        try {
            datagram = new NgMessage(cookie, request).encode();
        } catch (NgCodecException e) {
            return CompletableFuture.failedFuture(new NgException(id, "cannot encode request: " + e.getMessage(), e));
        }
        if (datagram.length > 65507) {
            return CompletableFuture.failedFuture(new NgException(id, "request of " + datagram.length
                    + " bytes does not fit a UDP datagram"));
        }
        if (inFlight.incrementAndGet() > maxPending) {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(new NgException(id, maxPending
                    + " requests already in flight; not queueing more"));
        }
        Pending p = new Pending(cookie, datagram, command(request), tryTimeout.toMillis(), maxTries);
        pending.put(cookie, p);
        requests.increment();
        p.reply.whenComplete((answer, error) -> {
            pending.remove(cookie);
            inFlight.decrementAndGet();
            ScheduledFuture<?> t = p.timer;
            if (t != null) {
                t.cancel(false);
            }
            if (answer != null && answer.isError()) {
                errors.increment();
            }
        });
        nextTry(p);
        return p.reply;
    }

    /** Sends try {@code p.attempt + 1} and times it; after the last, the request times out. */
    private void nextTry(Pending p) {
        if (p.reply.isDone()) {
            return;
        }
        if (p.attempt >= p.maxTries) {
            timeouts.increment();
            p.reply.completeExceptionally(new NgTimeoutException(id, p.command, p.maxTries, p.tryMillis));
            return;
        }
        p.attempt++;
        if (p.attempt > 1) {
            retransmits.increment();
            LOG.fine(() -> id + " cookie " + p.cookie + ": no reply to try " + (p.attempt - 1) + " (" + p.command
                    + ")");
        }
        transmit(p.datagram, p.cookie, p.attempt);
        try {
            p.timer = TIMER.schedule(() -> nextTry(p), p.tryMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            p.reply.completeExceptionally(new NgException(id, "timer stopped"));
        }
        if (p.reply.isDone() && p.timer != null) {
            p.timer.cancel(false); // answered while the timer was being set
        }
    }

    /** One request in flight: its bytes (a retransmission is identical), its tries and its reply. */
    private static final class Pending {
        final String cookie;
        final byte[] datagram;
        final String command;
        final long tryMillis;
        final int maxTries;
        final CompletableFuture<NgMessage> reply = new CompletableFuture<>();
        volatile int attempt;
        volatile ScheduledFuture<?> timer;

        Pending(String cookie, byte[] datagram, String command, long tryMillis, int maxTries) {
            this.cookie = cookie;
            this.datagram = datagram;
            this.command = command;
            this.tryMillis = tryMillis;
            this.maxTries = maxTries;
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
                // (fail now so the request moves to another engine instead of waiting out its tries)
                unreachable.increment();
                pending.values().forEach(p -> {
                    if (p.reply.completeExceptionally(new NgTimeoutException(id, p.command, p.attempt,
                            p.tryMillis))) {
                        timeouts.increment();
                    }
                });
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
            Pending waiter = pending.get(reply.cookie());
            if (waiter == null || !waiter.reply.complete(reply)) {
                unknownCookies.increment();
                LOG.fine(() -> id + ": dropped a reply with unknown or already answered cookie " + reply.cookie());
            }
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "sipedge-ng-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
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
        pending.values().forEach(p -> p.reply.completeExceptionally(new NgException(id,
                "client closed while waiting")));
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
