package org.sipedge.relay.ng;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.ng.NgBencode;
import org.sipedge.ng.NgCodecException;
import org.sipedge.ng.NgMessage;

/**
 * One ng datagram in, the reply datagram out, as rtpengine 10.5 answers (transcripts 01, 07, 10): cookie = the
 * bytes before the first space, echoed verbatim; a bencode or JSON dictionary after it, the reply in the same
 * format; every reply (errors too) cached by cookie so a retransmission gets the identical bytes without being
 * executed again. A datagram without a cookie gets no reply (nobody could match it) and is counted. Decoding errors
 * get rtpengine's reasons. Never throws for any input.
 */
public final class NgFrontEnd {
    private static final Logger LOG = Logger.getLogger(NgFrontEnd.class.getName());
    /** The largest UDP payload over IPv4; a bigger reply cannot be sent. */
    public static final int MAX_DATAGRAM = 65507;
    static final long CACHE_GENERATION_MILLIS = 30_000;
    static final int CACHE_MAX_PER_GENERATION = 100_000;

    private final NgHandler handler;
    private final ReplyCache cache;
    private final LongAdder requests = new LongAdder();
    private final LongAdder noCookie = new LongAdder();
    private final LongAdder undecodable = new LongAdder();
    private final LongAdder retransmissions = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();

    public NgFrontEnd(NgHandler handler) {
        this(handler, System::nanoTime);
    }

    NgFrontEnd(NgHandler handler, LongSupplier nanoClock) {
        this.handler = handler;
        this.cache = new ReplyCache(CACHE_GENERATION_MILLIS, CACHE_MAX_PER_GENERATION, nanoClock);
    }

    /** The reply to send back, or null for none (no cookie). Not thread-safe: one reader calls it. */
    public byte[] onDatagram(byte[] data, int offset, int length) {
        requests.increment();
        int space = NgMessage.cookieEnd(data, offset, length);
        if (space <= offset) {
            noCookie.increment();
            LOG.fine(() -> "ng datagram without a cookie dropped (" + length + " bytes)");
            return null;
        }
        String cookie = new String(data, offset, space - offset, StandardCharsets.ISO_8859_1);
        byte[] cached = cache.get(cookie);
        if (cached != null) {
            retransmissions.increment();
            return cached;
        }
        byte[] prefix = (cookie + " ").getBytes(StandardCharsets.ISO_8859_1);
        int payload = space + 1;
        int payloadLength = offset + length - payload;
        boolean json = payloadLength > 0 && data[payload] == '{';
        Map<String, Object> reply;
        if (payloadLength <= 0) {
            reply = error("Invalid data (no payload)");
        } else {
            Map<String, Object> request = null;
            String problem = null;
            try {
                if (json) {
                    request = NgJson.decodeObject(data, payload, payloadLength);
                } else if (data[payload] == 'd') {
                    request = NgBencode.decodeDictionary(data, payload, payloadLength);
                } else {
                    problem = "Invalid NG data format";
                }
            } catch (NgCodecException e) {
                problem = json ? "Failed to parse JSON document" : "Could not decode bencode dictionary";
            }
            if (problem != null) {
                undecodable.increment();
                reply = error(problem);
            } else {
                reply = execute(request, prefix.length, json);
            }
        }
        if ("error".equals(reply.get("result"))) {
            errors.increment();
        }
        byte[] bytes = encode(prefix, reply, json, reply == checkedReply ? checkedBytes : null);
        checkedReply = null;
        checkedBytes = null;
        if (bytes.length > MAX_DATAGRAM) { // the handler checked what it created; this is only a last resort
            bytes = encode(prefix, error("Reply too large for one UDP datagram (" + bytes.length + " bytes)"), json,
                    null);
        }
        cache.put(cookie, bytes);
        return bytes;
    }

    /** The reply the handler checked last and its encoding, so it is not encoded twice (reader thread only). */
    private Map<String, Object> checkedReply;
    private byte[] checkedBytes;

    private Map<String, Object> execute(Map<String, Object> request, int prefixLength, boolean json) {
        Predicate<Map<String, Object>> fits = r -> {
            checkedReply = r;
            checkedBytes = json ? NgJson.encode(r) : NgBencode.encode(r);
            return prefixLength + checkedBytes.length <= MAX_DATAGRAM;
        };
        try {
            return handler.handle(request, fits);
        } catch (RuntimeException | LinkageError | StackOverflowError e) { // a bug must cost one request, not the port
            handlerFailures.increment();
            LOG.log(Level.WARNING, "ng request failed inside the relay (answered with an error): " + e, e);
            return error("Internal error: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] encode(byte[] prefix, Map<String, Object> reply, boolean json, byte[] encoded) {
        byte[] body = encoded != null ? encoded : json ? NgJson.encode(reply) : NgBencode.encode(reply);
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }

    /** An error reply in rtpengine's shape ({@code result} first). */
    public static Map<String, Object> error(String reason) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("result", "error");
        r.put("error-reason", reason);
        return r;
    }

    public long requests() { return requests.sum(); }
    public long noCookie() { return noCookie.sum(); }
    public long undecodable() { return undecodable.sum(); }
    public long retransmissions() { return retransmissions.sum(); }
    public long errors() { return errors.sum(); }
    public long handlerFailures() { return handlerFailures.sum(); }
    int cachedReplies() { return cache.size(); }
}
