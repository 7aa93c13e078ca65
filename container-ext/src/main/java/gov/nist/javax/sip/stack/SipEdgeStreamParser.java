package gov.nist.javax.sip.stack;

import gov.nist.javax.sip.ThreadAffinityTask;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.NioPipelineParser;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.sipedge.container.StreamFramer;

/**
 * Framing of SIP messages on a stream (TCP, TLS, and each WebSocket message; {@link StreamFramer}), in place of
 * JAIN SIP's
 * {@link NioPipelineParser}. The stock one looked for Content-Length and Call-ID only in their long forms written
 * exactly {@code "Content-Length:"} (so {@code l: 0} or {@code Content-Length  : 0} framed the body as the next
 * message), kept the previous message's length when a message had none, closed the connection when it found no
 * Call-ID, and only logged a message it could not parse. Here:
 * <ul>
 *   <li>the header block ends at the first empty line; Content-Length is read in any form RFC 3261 allows
 *       (compact {@code l}, any case, white space before the colon, folded lines); none means no body;</li>
 *   <li>a Content-Length that is not a number, or two that disagree, leave no way to find the next message: the
 *       request gets {@code 400 Malformed Content-Length header} and the connection is closed (RFC 4475 3.1.2.3,
 *       3.3.9), as it is for a header block over 64 KiB or a body over the stack's maximum message size;</li>
 *   <li>a message that does not parse is answered {@code 400 Malformed ...} on its connection, which stays open
 *       (the same answer UDP gives, {@link SipEdgeParserFactory}); a response that does not parse is dropped;</li>
 *   <li>messages of one call are handled in order (the stack's executor picks the thread by Call-ID);</li>
 *   <li>a double CRLF in one read is a keep-alive ping and is answered with a single CRLF (RFC 5626 4.4.1).</li>
 * </ul>
 * Installed on every connection the stack accepts or opens ({@link #install}); in JAIN SIP's package because the
 * channel's parser field and raw send are package-level.
 */
public final class SipEdgeStreamParser extends NioPipelineParser implements StreamFramer.Sink {
    private static final Logger LOG = Logger.getLogger("org.sipedge.container.stream");
    private static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;
    private static final long CLOSE_DELAY_MILLIS = 200;
    private static final LongAdder FRAMING_ERRORS = new LongAdder();
    private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sipedge-stream-closer");
        t.setDaemon(true);
        return t;
    });

    private final SIPTransactionStack stack;
    private final NioTcpMessageChannel channel;
    private final StreamFramer framer;

    private SipEdgeStreamParser(SIPTransactionStack stack, NioTcpMessageChannel channel, boolean webSocket) {
        super(stack, channel, stack.getMaxMessageSize());
        this.stack = stack;
        this.channel = channel;
        int max = stack.getMaxMessageSize();
        this.framer = new StreamFramer(this, max > 0 ? max : DEFAULT_MAX_MESSAGE_BYTES, webSocket);
    }

    /**
     * Puts this framing on a connection before it reads anything; a second call changes nothing. With
     * {@code webSocket} each piece the channel hands on is one whole WebSocket message (RFC 7118).
     */
    public static void install(NioTcpMessageChannel channel, boolean webSocket) {
        if (channel != null && !(channel.nioParser instanceof SipEdgeStreamParser)) {
            channel.nioParser = new SipEdgeStreamParser(channel.getSIPStack(), channel, webSocket);
        }
    }

    /** Connections closed because their framing was lost (bad Content-Length, oversized message), since start. */
    public static long framingErrors() {
        return FRAMING_ERRORS.sum();
    }

    @Override
    public synchronized void addBytes(byte[] bytes) {
        framer.add(bytes);
    }

    @Override
    public void message(byte[] headers, byte[] body, String callId) {
        Task task = new Task(headers, body, callId);
        ScheduledExecutorService executor = stack.getSelfRoutingThreadpoolExecutor();
        if (executor != null) {
            executor.execute(task);
        } else {
            task.run();
        }
    }

    @Override
    public void crlf() {
        channel.cancelPingKeepAliveTimeoutTaskIfStarted();
    }

    @Override
    public void ping() {
        try {
            channel.sendSingleCLRF();
        } catch (Exception e) {
            LOG.log(Level.FINE, "keep-alive pong not sent", e);
        }
    }

    /**
     * A message refused by the framing: the request gets a 400 when its header block is whole; when the framing
     * is lost the connection is closed once that answer has had time to leave.
     */
    @Override
    public void refused(String headerBlock, String why, boolean fatal) {
        SipEdgeParserFactory.countMalformed();
        if (fatal) {
            FRAMING_ERRORS.increment();
        }
        if (LOG.isLoggable(Level.INFO)) {
            LOG.info("stream from " + channel.getPeerAddress() + ":" + channel.getPeerPort() + " ("
                    + channel.getTransport() + "): " + why + (fatal ? "; connection closed" : "; message refused")
                    + (headerBlock == null ? "" : callIdOf(headerBlock)));
        }
        if (headerBlock != null) {
            send(SipEdgeParserFactory.badRequest(headerBlock, new ParseException("Content-Length: " + why, 0)));
        }
        if (fatal) {
            CLOSER.schedule(() -> {
                try {
                    channel.close(true, true);
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "closing a stream", e);
                }
            }, CLOSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private static String callIdOf(String block) {
        for (String line : block.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                if (name.equals("call-id") || name.equals("i")) {
                    return " call-id=" + line.substring(colon + 1).trim();
                }
            }
        }
        return "";
    }

    private void send(String reply) {
        if (reply == null) {
            return;
        }
        try {
            channel.sendMessage(reply.getBytes(StandardCharsets.UTF_8), false);
        } catch (Exception e) {
            LOG.log(Level.FINE, "answer to a malformed message not sent", e);
        }
    }

    @Override
    public void close() {
        // nothing held beyond the framer's buffer
    }

    /** Parses and hands on one framed message on a stack thread; the same Call-ID always takes the same thread. */
    private final class Task implements ThreadAffinityTask, QueuedMessageDispatchBase {
        private final byte[] headers;
        private final byte[] body;
        private final String id;
        private final long received = System.currentTimeMillis();

        Task(byte[] headers, byte[] body, String id) {
            this.headers = headers;
            this.body = body;
            this.id = id;
        }

        @Override
        public Object getThreadHash() {
            return id != null ? id : channel.getKey();
        }

        @Override
        public long getReceptionTime() {
            return received;
        }

        @Override
        public void run() {
            SIPMessage message = null;
            try {
                MessageParser parser = stack.getMessageParserFactory().createMessageParser(stack);
                message = parser.parseSIPMessage(headers, false, false, null);
                if (message == null) {
                    return;
                }
                if (body.length > 0) {
                    message.setMessageContent(body);
                }
                if (stack.sipEventInterceptor != null) {
                    stack.sipEventInterceptor.beforeMessage(message);
                }
                channel.processMessage(message);
            } catch (ParseException e) {
                send(SipEdgeParserFactory.badRequest(new String(headers, StandardCharsets.UTF_8), e));
            } catch (Exception e) {
                // a plain Exception is the stack's own "answered already" signal (CSeq method, version, size)
                LOG.log(e.getClass() == Exception.class ? Level.FINE : Level.WARNING, "error handling a message from "
                        + channel.getPeerAddress() + " call-id=" + id, e);
            } finally {
                if (stack.sipEventInterceptor != null && message != null) {
                    stack.sipEventInterceptor.afterMessage(message);
                }
            }
        }
    }
}
