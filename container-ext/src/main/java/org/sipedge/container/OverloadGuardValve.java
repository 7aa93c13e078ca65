package org.sipedge.container;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPMessageValve;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.LongAdder;
import javax.management.ObjectName;
import javax.sip.SipStack;
import javax.sip.message.Response;

/**
 * The sanity check and flood guard in front of the transaction layer (set as
 * {@code gov.nist.javax.sip.SIP_MESSAGE_VALVE}), and the door for {@link StatelessRequests stateless handlers}
 * (UDP REGISTER). A request with an unparsable Contact, Expires, Route or Max-Forwards gets 400 naming the header
 * ({@link SanityCheck}). When too
 * many server transactions are open, or the heap is nearly full, a new request is answered 503 with Retry-After
 * straight from the transport — no transaction, no session, no allocation worth the name — and counted. ACK and
 * CANCEL always pass: they end work rather than create it. Without this the bare container ran out of heap under a
 * UDP flood and its UDP reader thread died for good. A new UDP call (initial INVITE) that waited in the receive
 * queue longer than {@code MAX_QUEUE_WAIT_MILLIS} gets 503 + Retry-After too, so that the calls already taken
 * complete instead of all of them timing out together.
 */
public final class OverloadGuardValve implements SIPMessageValve, OverloadGuardValveMBean {
    /** Stack property: open server transactions above which new requests get 503. */
    public static final String MAX_SERVER_TRANSACTIONS = "org.sipedge.MAX_SERVER_TRANSACTIONS";
    /** Stack property: fraction of the max heap in use above which new requests get 503. */
    public static final String MAX_HEAP_FRACTION = "org.sipedge.MAX_HEAP_FRACTION";
    /** Stack property: seconds in the Retry-After of the 503. */
    public static final String RETRY_AFTER_SECONDS = "org.sipedge.RETRY_AFTER_SECONDS";
    /**
     * Stack property: a new UDP call (initial INVITE) that waited longer than this many ms in the receive queue
     * gets 503; 0 turns the check off.
     */
    public static final String MAX_QUEUE_WAIT_MILLIS = "org.sipedge.MAX_QUEUE_WAIT_MILLIS";

    /** Stack property: requests per source address per window before the source is banned; 0 = off. */
    public static final String PIKE_LIMIT = "org.sipedge.PIKE_LIMIT";
    /** Stack property: the window of {@link #PIKE_LIMIT}, in seconds. */
    public static final String PIKE_WINDOW_SECONDS = "org.sipedge.PIKE_WINDOW_SECONDS";
    /** Stack property: how long a source over the limit stays banned, in seconds. */
    public static final String PIKE_BAN_SECONDS = "org.sipedge.PIKE_BAN_SECONDS";
    /** Stack property: what a banned source's requests get: {@code 503} (with Retry-After) or {@code drop}. */
    public static final String PIKE_ACTION = "org.sipedge.PIKE_ACTION";

    /** The methods the application is mapped to (the launcher's DAR); any other gets 501. */
    private static final java.util.Set<String> KNOWN_METHODS = java.util.Set.of("REGISTER", "INVITE", "OPTIONS",
            "MESSAGE", "SUBSCRIBE", "NOTIFY", "PUBLISH", "REFER", "INFO", "UPDATE", "PRACK", "BYE", "CANCEL", "ACK");
    private static final LongAdder REJECTED = new LongAdder();
    private static final LongAdder QUEUE_REJECTED = new LongAdder();
    private static final LongAdder SEND_FAILURES = new LongAdder();
    private static final LongAdder MALFORMED = new LongAdder();
    private static final LongAdder STRAY_RESPONSES = new LongAdder();
    private static final LongAdder REFUSED_BY_RULE = new LongAdder();
    private volatile long strayLoggedAt;
    private OwnVia ownVia;

    private SIPTransactionStack stack;
    private int maxServerTransactions = 100_000;
    private double maxHeapFraction = 0.85;
    private int retryAfter = 5;
    private long maxQueueWaitMillis = 250;
    private volatile LoadGuard loadGuard = new LoadGuard(100_000, 0.85, System::nanoTime, LoadGuard.Heap.RUNTIME);
    private volatile long queueRefusalLoggedAt;
    private QueueWaitGuard queueWait = new QueueWaitGuard(250, PERSIST_NANOS, System::nanoTime);
    /**
     * How long the waits must have stayed above the limit before new calls are refused. Fixed: long enough that one
     * GC pause or one slow message is not taken for overload, short against T1 (500 ms), so callers are refused
     * before they retransmit and double the load.
     */
    private static final long PERSIST_NANOS = 100_000_000L;
    private ObjectName name;
    private static volatile SourceRateLimiter pike = new SourceRateLimiter(0, 1, 1, System::nanoTime);
    private static volatile boolean pikeDrops;

    @Override
    public void init(SipStack sipStack) {
        this.stack = (SIPTransactionStack) sipStack;
        if (sipStack instanceof SipStackImpl impl) {
            ownVia = new OwnVia(impl);
            var p = impl.getConfigurationProperties();
            maxServerTransactions = Integer.parseInt(p.getProperty(MAX_SERVER_TRANSACTIONS, "100000"));
            maxHeapFraction = Double.parseDouble(p.getProperty(MAX_HEAP_FRACTION, "0.85"));
            loadGuard = new LoadGuard(maxServerTransactions, maxHeapFraction, System::nanoTime,
                    LoadGuard.Heap.RUNTIME);
            retryAfter = Integer.parseInt(p.getProperty(RETRY_AFTER_SECONDS, "5"));
            maxQueueWaitMillis = Long.parseLong(p.getProperty(MAX_QUEUE_WAIT_MILLIS, "250"));
            queueWait = new QueueWaitGuard(maxQueueWaitMillis, PERSIST_NANOS, System::nanoTime);
            pike = new SourceRateLimiter(Integer.parseInt(p.getProperty(PIKE_LIMIT, "0")),
                    Integer.parseInt(p.getProperty(PIKE_WINDOW_SECONDS, "2")),
                    Integer.parseInt(p.getProperty(PIKE_BAN_SECONDS, "10")), System::nanoTime);
            pikeDrops = "drop".equalsIgnoreCase(p.getProperty(PIKE_ACTION, "503"));
            StatelessRequests.setServerHeader(p.getProperty("org.mobicents.servlet.sip.SERVER_HEADER", "SIP Edge"));
        }
        try {
            name = new ObjectName("org.sipedge:type=OverloadGuard");
            var server = ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(name)) {
                server.registerMBean(this, name);
            }
        } catch (Exception e) {
            name = null;
        }
    }

    /**
     * Every request, on the stack's thread: the Call-ID goes into the MDC for every line logged while it is handled
     * here and, when it goes on, by the container on this thread.
     */
    @Override
    public boolean processRequest(SIPRequest request, MessageChannel channel) {
        CallLog.enter(request.getCallId() == null ? null : request.getCallId().getCallId());
        boolean goesOn = admit(request, channel);
        if (!goesOn) {
            CallLog.restore(null);
        } else {
            SipEdgeUdpMessageProcessor.releaseReceiving(); // the container's way may take long: another worker receives
        }
        return goesOn;
    }

    private boolean admit(SIPRequest request, MessageChannel channel) {
        String method = request.getMethod();
        SipTraffic.request(method);
        boolean udp = "UDP".equalsIgnoreCase(channel.getTransport());
        if (udp) {
            noteQueueWait();
        }
        if (pike.enabled() && refusedBySource(request, channel)) {
            return false;
        }
        if ("ACK".equals(method) || "CANCEL".equals(method)) {
            FastProxyHandler fp = StatelessRequests.fastProxy();
            return !(udp && fp != null && fp.handleRequest(request, channel));
        }
        if (!KNOWN_METHODS.contains(method)) {
            // no application takes it: the container would proxy it statelessly to its Request-URI, anywhere
            MALFORMED.increment();
            reply(request, channel, Response.NOT_IMPLEMENTED, "Not Implemented", -1);
            return false;
        }
        String problem = SanityCheck.problem(request);
        if (problem != null) {
            MALFORMED.increment();
            reply(request, channel, Response.BAD_REQUEST, problem, -1);
            return false;
        }
        ProtocolRules.Answer answer = ProtocolRules.check(request);
        if (answer != null) {
            REFUSED_BY_RULE.increment();
            replyWith(request, channel, answer.status(), answer.reason(),
                    answer.unsupported() == null ? null : "Unsupported: " + answer.unsupported());
            return false;
        }
        ProtocolRules.repair(request);
        if (!overloaded()) {
            StatelessRequestHandler gate = StatelessRequests.callerGate();
            if (gate != null && gate.handle(request, channel)) {
                return false; // challenged or refused statelessly: no transaction, no session to outlive it
            }
            if (!udp) {
                return true;
            }
            if ("REGISTER".equals(method)) {
                StatelessRequestHandler fast = StatelessRequests.udpRegister();
                return fast == null || !fast.handle(request, channel);
            }
            FastProxyHandler fp = StatelessRequests.fastProxy();
            if (queueBehind(request, fp)) {
                QUEUE_REJECTED.increment();
                REJECTED.increment();
                logQueueRefusal(request);
                reply(request, channel, Response.SERVICE_UNAVAILABLE, "Overloaded", retryAfter);
                return false;
            }
            return fp == null || !fp.handleRequest(request, channel);
        }
        REJECTED.increment();
        reply(request, channel, Response.SERVICE_UNAVAILABLE, "Overloaded", retryAfter);
        return false;
    }

    /**
     * Called by the UDP reader for every datagram before it is queued or parsed: counts it against its source's
     * sip.pike-limit, and true drops it because the source is banned. With {@code sip.pike-action=503} one datagram
     * a second of a banned source still goes on, to be answered 503 + Retry-After by {@link #processRequest}. A
     * flood from one address thus costs a lookup per datagram, not a parse, a queue slot and an answer.
     */
    public static boolean shedBeforeParse(java.net.InetAddress source) {
        SourceRateLimiter p = pike;
        if (!p.enabled()) {
            return false;
        }
        String s = source.getHostAddress();
        SourceRateLimiter.Verdict v = p.request(s);
        if (v == SourceRateLimiter.Verdict.PASS) {
            return false;
        }
        if (v == SourceRateLimiter.Verdict.BANNED_NOW) {
            logBan(s, "udp");
        }
        return pikeDrops || !p.answerDue(s);
    }

    /**
     * Per-source rate limiting ({@link SourceRateLimiter}): true when this request's source is banned and the
     * request was answered 503 + Retry-After (the ban's time left) or dropped. UDP datagrams were counted by the
     * reader ({@link #shedBeforeParse}); requests over connections are counted here.
     */
    private boolean refusedBySource(SIPRequest request, MessageChannel channel) {
        java.net.InetAddress a = channel.getPeerPacketSourceAddress();
        boolean udp = "UDP".equalsIgnoreCase(channel.getTransport());
        String source = a != null ? a.getHostAddress() : channel.getPeerAddress();
        if (udp) {
            if (!pike.banned(source)) {
                return false;
            }
        } else {
            SourceRateLimiter.Verdict v = pike.request(source);
            if (v == SourceRateLimiter.Verdict.PASS) {
                return false;
            }
            if (v == SourceRateLimiter.Verdict.BANNED_NOW) {
                logBan(source, channel.getTransport().toLowerCase(java.util.Locale.ROOT));
            }
            if (!pikeDrops && !pike.answerDue(source)) {
                return true;
            }
        }
        if (!pikeDrops && !"ACK".equals(request.getMethod())) {
            reply(request, channel, Response.SERVICE_UNAVAILABLE, "Too Many Requests From This Source",
                    Math.max(1, pike.banSecondsLeft(source)));
        }
        return true;
    }

    /** The one line per ban. */
    private static void logBan(String source, String transport) {
        SourceRateLimiter p = pike;
        java.util.logging.Logger.getLogger("org.sipedge.container.pike").warning("pike: " + source + " sent more than "
                + p.limit() + " requests within " + p.windowSeconds() + " s (sip.pike-limit, " + transport
                + ") -> banned for " + p.banSecondsLeft(source) + " s and as long as it keeps that up; its requests "
                + (pikeDrops ? "are dropped" : "are dropped but for one 503 + Retry-After a second") + "; "
                + p.bans() + " ban(s) so far");
    }

    /** One line at most every 10 s while responses not addressed to this node are dropped. */
    private void logStray(SIPResponse r, MessageChannel channel) {
        long now = System.nanoTime();
        long last = strayLoggedAt;
        if (last == 0 || now - last > 10_000_000_000L) {
            strayLoggedAt = now;
            java.util.logging.Logger.getLogger("org.sipedge.container.stray").info("dropped a " + r.getStatusCode()
                    + " from " + channel.getPeerAddress() + " (" + channel.getTransport() + ") whose top Via "
                    + r.getTopmostVia().getSentBy() + " is not this node: call-id="
                    + (r.getCallId() == null ? "?" : r.getCallId().getCallId()) + "; " + STRAY_RESPONSES.sum()
                    + " so far");
        }
    }

    /** One line at most every 5 s while new calls are refused for queue wait, with an example Call-ID. */
    private void logQueueRefusal(SIPRequest request) {
        long now = System.nanoTime();
        long last = queueRefusalLoggedAt;
        if (now - last > 5_000_000_000L || last == 0) {
            queueRefusalLoggedAt = now;
            java.util.logging.Logger.getLogger("org.sipedge.container.overload").warning("overload: new call call-id="
                    + (request.getCallId() == null ? "?" : request.getCallId().getCallId()) + " waited "
                    + gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor.queueWaitMillis()
                    + " ms in the UDP receive queue (sip.overload-queue-wait-ms " + maxQueueWaitMillis
                    + ") -> 503 Retry-After " + retryAfter + "; " + QUEUE_REJECTED.sum() + " refused so far");
        }
    }

    /**
     * Whether this is a new UDP call that waited in the receive queue longer than {@code MAX_QUEUE_WAIT_MILLIS},
     * as every message taken for at least the last 100 ms did: the workers are behind (a slow media engine, a slow store, a burst), and taking more calls would make every
     * call wait longer until callers retransmit and time out — a collapse. Such a call gets 503 + Retry-After at
     * once; requests of calls already taken (ACK, BYE, re-INVITE, CANCEL) and responses still go through, so the
     * calls in progress complete. A retransmitted INVITE whose first copy was taken is never refused.
     */
    private boolean queueBehind(SIPRequest request, FastProxyHandler fp) {
        if (!"INVITE".equals(request.getMethod()) || request.getToTag() != null
                || !queueWait.behind(gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor.queueWaitMillis())) {
            return false;
        }
        if (fp != null && fp.isRetransmission(request)) {
            return false;
        }
        return stack.findTransaction(request, true) == null;
    }

    /** Follows the queue wait of every UDP message the workers take ({@link QueueWaitGuard}). */
    private void noteQueueWait() {
        if (queueWait.enabled()) {
            queueWait.observed(gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor.queueWaitMillis());
        }
    }

    /** A stateless answer with one extra header line (or none). */
    private static void replyWith(SIPRequest request, MessageChannel channel, int status, String reason,
                                  String headerLine) {
        try {
            SIPResponse resp = request.createResponse(status, reason);
            if (headerLine != null) {
                resp.addHeader(headerLine);
            }
            channel.sendMessage(resp);
        } catch (Exception e) {
            SEND_FAILURES.increment();
        }
    }

    /** A stateless answer straight from the transport; a failure to send is a counted drop. */
    private static void reply(SIPRequest request, MessageChannel channel, int status, String reason, int retryAfterSeconds) {
        try {
            SIPResponse resp = request.createResponse(status, reason);
            if (retryAfterSeconds > 0) {
                RetryAfter ra = new RetryAfter();
                ra.setRetryAfter(retryAfterSeconds);
                resp.setHeader(ra);
            }
            channel.sendMessage(resp);
        } catch (Exception e) {
            SEND_FAILURES.increment(); // the client will retransmit or give up
        }
    }

    private boolean overloaded() {
        return loadGuard.overloaded(stack.getServerTransactionTableSize());
    }

    @Override
    public boolean processResponse(Response response, MessageChannel channel) {
        SipTraffic.response(response.getStatusCode());
        if (response instanceof SIPResponse r) {
            CallLog.enter(r.getCallId() == null ? null : r.getCallId().getCallId());
        }
        if (ownVia != null && response instanceof SIPResponse r && !ownVia.ours(r.getTopmostVia())) {
            STRAY_RESPONSES.increment();
            logStray(r, channel);
            return false;
        }
        FastProxyHandler fp = StatelessRequests.fastProxy();
        if ("UDP".equalsIgnoreCase(channel.getTransport())) {
            noteQueueWait();
        }
        if (fp != null && response instanceof SIPResponse r && "UDP".equalsIgnoreCase(channel.getTransport())
                && fp.handleResponse(r, channel)) {
            return false;
        }
        SipEdgeUdpMessageProcessor.releaseReceiving(); // the container's way may take long: another worker receives
        return true;
    }

    @Override
    public void destroy() {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (Exception ignored) {
                // gone already
            }
        }
    }

    @Override public long getRejected() { return REJECTED.sum(); }
    @Override public long getQueueWaitRejected() { return QUEUE_REJECTED.sum(); }
    @Override public long getSendFailures() { return SEND_FAILURES.sum(); }
    @Override public int getOpenServerTransactions() { return stack == null ? 0 : stack.getServerTransactionTableSize(); }
    @Override public long getMalformedMessages() {
        return gov.nist.javax.sip.stack.SipEdgeParserFactory.malformedCount() + MALFORMED.sum();
    }
    @Override public long getPikeRefused() { return pike.refused(); }
    @Override public long getPikeBans() { return pike.bans(); }
    @Override public long getStrayResponses() { return STRAY_RESPONSES.sum(); }
    @Override public long getRefusedByRule() { return REFUSED_BY_RULE.sum(); }
    @Override public long getStreamFramingErrors() {
        return gov.nist.javax.sip.stack.SipEdgeStreamParser.framingErrors();
    }
    @Override public long getUdpQueueDrops() { return gov.nist.javax.sip.stack.SipEdgeUdpMessageProcessor.droppedCount(); }

    /** New calls answered 503 because they waited too long in the UDP receive queue (part of the rejected count). */
    public static long queueWaitRejectedCount() {
        return QUEUE_REJECTED.sum();
    }

    /** Requests answered 503 by the guard since start (all stacks of this JVM). */
    public static long rejectedCount() {
        return REJECTED.sum();
    }
}
