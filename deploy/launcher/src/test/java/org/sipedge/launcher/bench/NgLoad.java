package org.sipedge.launcher.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.sipedge.ng.NgCodecException;
import org.sipedge.ng.NgMessage;

/**
 * The control half of {@code ./sipedge bench relay}: calls of offer, answer and delete ({@code delete-delay: 0}),
 * each with a fresh call-id, {@code concurrency} calls in flight at once, for a fixed duration. One thread, one
 * socket; the cookie names the call slot ({@code <run>_<slot>_<n>}), so a reply finds its call without a map.
 * A request without a reply is retransmitted byte for byte every {@link #RETRY_NANOS} (the server's cookie cache
 * answers it), at most {@link #TRIES} times; then the call counts as failed and its slot starts a new one.
 *
 * <p>Counted: calls whose three replies all came back {@code ok} within the duration; offer latency (request sent →
 * reply received, the first transmission) per completed call. Calls still open at the end are finished (bounded by
 * {@link #FINISH}) so that none is left behind in the server, but not counted.
 */
final class NgLoad {
    static final long RETRY_NANOS = 250_000_000L;
    static final int TRIES = 5;
    static final Duration FINISH = Duration.ofSeconds(3);

    private NgLoad() {
    }

    /** What one run measured. Latencies in microseconds. */
    record Result(int concurrency, double seconds, long calls, long failed, long errors, long retransmissions,
            long offerP50Us, long offerP99Us, long callP50Us, long callP99Us) {
        double callsPerSecond() {
            return seconds <= 0 ? 0 : calls / seconds;
        }
    }

    private enum Step { OFFER, ANSWER, DELETE }

    /** One call slot: the request in flight and its bytes for retransmission. */
    private static final class Slot {
        final int index;
        Step step;
        String callId;
        String cookie;
        byte[] bytes;
        long firstSent;
        long lastSent;
        long callStart;
        long offerNanos;
        int tries;

        Slot(int index) {
            this.index = index;
        }
    }

    static Result run(InetSocketAddress server, int concurrency, Duration duration) throws IOException {
        String run = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
        InetSocketAddress caller = new InetSocketAddress("127.0.0.2", 40_000);
        InetSocketAddress callee = new InetSocketAddress("127.0.0.3", 40_002);
        long[] offerLatency = new long[1 << 16];
        long[] callLatency = new long[1 << 16];
        long calls = 0;
        long failed = 0;
        long errors = 0;
        long retransmissions = 0;
        long serial = 0;
        try (DatagramChannel channel = DatagramChannel.open(); Selector selector = Selector.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer in = ByteBuffer.allocate(65535);
            Slot[] slots = new Slot[concurrency];
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long finishBy = end + FINISH.toNanos();
            for (int i = 0; i < concurrency; i++) {
                slots[i] = new Slot(i);
                startCall(slots[i], run, serial++, caller, start);
                send(channel, server, slots[i], start);
            }
            int open = concurrency;
            long nextRetryCheck = start + RETRY_NANOS / 5;
            while (open > 0) {
                long now = System.nanoTime();
                if (now >= finishBy) {
                    break;
                }
                selector.select(Math.max(1, Math.min(50, (nextRetryCheck - now) / 1_000_000)));
                selector.selectedKeys().clear();
                while (true) {
                    in.clear();
                    if (channel.receive(in) == null) {
                        break;
                    }
                    long received = System.nanoTime();
                    in.flip();
                    Slot slot = slotOf(in, run, slots);
                    if (slot == null) {
                        continue; // a reply to a call already given up, or to a retransmission already answered
                    }
                    NgMessage reply;
                    try {
                        reply = NgMessage.decode(in.array(), 0, in.limit());
                    } catch (NgCodecException e) {
                        errors++;
                        continue;
                    }
                    if (!reply.cookie().equals(slot.cookie)) {
                        continue;
                    }
                    if (reply.isError()) {
                        errors++;
                    }
                    switch (slot.step) {
                        case OFFER -> {
                            slot.offerNanos = received - slot.firstSent;
                            slot.step = Step.ANSWER;
                            slot.bytes = message(slot, run, NgLink.answer(slot.callId, callee));
                            send(channel, server, slot, received);
                        }
                        case ANSWER -> {
                            slot.step = Step.DELETE;
                            slot.bytes = message(slot, run, NgLink.delete(slot.callId));
                            send(channel, server, slot, received);
                        }
                        case DELETE -> {
                            if (received <= end) {
                                int at = (int) calls;
                                if (at == offerLatency.length) {
                                    offerLatency = Arrays.copyOf(offerLatency, at * 2);
                                    callLatency = Arrays.copyOf(callLatency, at * 2);
                                }
                                offerLatency[at] = slot.offerNanos;
                                callLatency[at] = received - slot.callStart;
                                calls++;
                            }
                            if (received < end) {
                                startCall(slot, run, serial++, caller, received);
                                send(channel, server, slot, received);
                            } else {
                                slot.step = null;
                                open--;
                            }
                        }
                    }
                }
                now = System.nanoTime();
                if (now >= nextRetryCheck) {
                    nextRetryCheck = now + RETRY_NANOS / 5;
                    for (Slot slot : slots) {
                        if (slot.step == null || now - slot.lastSent < RETRY_NANOS) {
                            continue;
                        }
                        if (slot.tries < TRIES) {
                            retransmissions++;
                            send(channel, server, slot, now);
                        } else {
                            failed++;
                            abandon(channel, server, run, slot.callId);
                            if (now < end) {
                                startCall(slot, run, serial++, caller, now);
                                send(channel, server, slot, now);
                            } else {
                                slot.step = null;
                                open--;
                            }
                        }
                    }
                }
            }
            double seconds = (end - start) / 1e9;
            int n = (int) calls;
            Arrays.sort(offerLatency, 0, n);
            Arrays.sort(callLatency, 0, n);
            return new Result(concurrency, seconds, calls, failed + open, errors, retransmissions,
                    percentileUs(offerLatency, n, 50), percentileUs(offerLatency, n, 99),
                    percentileUs(callLatency, n, 50), percentileUs(callLatency, n, 99));
        }
    }

    private static void startCall(Slot slot, String run, long serial, InetSocketAddress caller, long now) {
        slot.step = Step.OFFER;
        slot.callId = "ngload-" + run + "-" + serial + "@127.0.0.1";
        slot.callStart = now;
        slot.bytes = message(slot, run, NgLink.offer(slot.callId, caller));
    }

    /** Encodes a request with a fresh cookie naming the slot; resets the retransmission count. */
    private static byte[] message(Slot slot, String run, java.util.Map<String, Object> dictionary) {
        slot.cookie = run + "_" + slot.index + "_" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36);
        slot.tries = 0;
        return new NgMessage(slot.cookie, dictionary).encode();
    }

    private static void send(DatagramChannel channel, InetSocketAddress server, Slot slot, long now)
            throws IOException {
        if (slot.tries == 0) {
            slot.firstSent = now;
        }
        slot.tries++;
        slot.lastSent = now;
        channel.send(ByteBuffer.wrap(slot.bytes), server);
    }

    /** A delete for a call given up on, whatever step it reached; its reply is not awaited. */
    private static void abandon(DatagramChannel channel, InetSocketAddress server, String run, String callId)
            throws IOException {
        String cookie = run + "_abandoned_" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36);
        channel.send(ByteBuffer.wrap(new NgMessage(cookie, NgLink.delete(callId)).encode()), server);
    }

    /** The slot a reply's cookie names, or null. */
    private static Slot slotOf(ByteBuffer reply, String run, Slot[] slots) {
        int space = -1;
        for (int i = 0; i < Math.min(reply.limit(), 64); i++) {
            if (reply.get(i) == ' ') {
                space = i;
                break;
            }
        }
        if (space < 0) {
            return null;
        }
        String[] parts = new String(reply.array(), 0, space, StandardCharsets.ISO_8859_1).split("_");
        if (parts.length != 3 || !parts[0].equals(run)) {
            return null;
        }
        try {
            int index = Integer.parseInt(parts[1]);
            return index >= 0 && index < slots.length && slots[index].step != null ? slots[index] : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long percentileUs(long[] sorted, int n, int percent) {
        if (n == 0) {
            return -1;
        }
        int at = (int) Math.min(n - 1, Math.ceil(n * percent / 100.0) - 1);
        return sorted[Math.max(0, at)] / 1000;
    }
}
