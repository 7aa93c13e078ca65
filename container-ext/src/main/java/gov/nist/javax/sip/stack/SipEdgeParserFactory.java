package gov.nist.javax.sip.stack;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.sipedge.container.StatelessRequests;

/**
 * JAIN SIP's parser with a clean answer to what it cannot parse. On its own, for a request whose To, From, CSeq,
 * Call-ID or Via it cannot read, the stack sends a 400 whose reason phrase holds the parser's message (with a bare
 * line feed in it, breaking the status line) and echoes the request back. Here such a UDP request gets a plain
 * {@code 400 Malformed <Header> header} carrying the request's own Via/From/To/Call-ID/CSeq lines; over a
 * connection {@link SipEdgeStreamParser} sends the same answer. What the stack's parser lets through but RFC 3261
 * does not is refused too ({@link RawChecks}): another SIP version (505), a repeated single-value header, an
 * IPv6 Request-URI host without brackets, a request without Call-ID, From, To or CSeq. Every such message is
 * counted. Set as
 * {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}; in JAIN SIP's package to reach the channel's raw send.
 */
public final class SipEdgeParserFactory implements MessageParserFactory {
    private static final LongAdder MALFORMED = new LongAdder();
    private final StringMsgParserFactory plain = new StringMsgParserFactory();

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        MessageParser delegate = plain.createMessageParser(stack);
        return (bytes, readBody, strict, listener) -> parse(delegate, bytes, readBody, strict, listener);
    }

    /** Messages the parser rejected, since start. */
    public static long malformedCount() {
        return MALFORMED.sum();
    }

    /** Counts a message refused before it reached the parser (a stream's framing). */
    static void countMalformed() {
        MALFORMED.increment();
    }

    /** A request refused with a given status and reason phrase (505, or 400 with a specific reason). */
    static final class Refusal extends ParseException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String reason) {
            super(reason, 0);
            this.status = status;
        }
    }

    /**
     * What the UDP channel does with a header it cannot parse, for the connection-oriented channels that pass no
     * listener (they would silently lose the header): keep it aside as unparsed — so the sanity check sees a
     * malformed Contact or Expires — and fail the message only for the headers nothing works without.
     */
    private static final ParseExceptionListener KEEP_UNPARSED = (ex, message, headerClass, headerText, messageText) -> {
        if (headerClass == null || headerClass.equals(gov.nist.javax.sip.header.From.class)
                || headerClass.equals(gov.nist.javax.sip.header.To.class)
                || headerClass.equals(gov.nist.javax.sip.header.CSeq.class)
                || headerClass.equals(gov.nist.javax.sip.header.Via.class)
                || headerClass.equals(gov.nist.javax.sip.header.CallID.class)
                || headerClass.equals(gov.nist.javax.sip.header.ContentLength.class)
                || headerClass.equals(gov.nist.javax.sip.header.RequestLine.class)
                || headerClass.equals(gov.nist.javax.sip.header.StatusLine.class)) {
            throw ex;
        }
        if (message != null) {
            message.addUnparsed(headerText);
        }
    };

    private static SIPMessage parse(MessageParser delegate, byte[] bytes, boolean readBody, boolean strict,
                                    ParseExceptionListener listener) throws ParseException {
        try {
            SIPMessage message = delegate.parseSIPMessage(bytes, readBody, strict,
                    listener != null ? listener : KEEP_UNPARSED);
            if (message != null) {
                RawChecks.check(bytes, message);
            }
            return message;
        } catch (ParseException e) {
            MALFORMED.increment();
            if (listener instanceof UDPMessageChannel channel) {
                String reply = badRequest(new String(bytes, StandardCharsets.UTF_8), e);
                // the channel's peer is set only after a successful parse: it may still be the previous sender's
                java.net.InetSocketAddress source = SipEdgeUdpMessageProcessor.takenSource();
                InetAddress to = source != null ? source.getAddress() : null;
                int port = source != null ? source.getPort() : 0;
                if (reply != null && to != null && port > 0) {
                    try {
                        channel.sendMessage(reply.getBytes(StandardCharsets.UTF_8), to, port, false);
                    } catch (Exception ignored) {
                        // counted above; nothing else to do for an unparsable datagram
                    }
                }
                return null; // answered (or dropped) here: the stack must not answer again
            }
            throw e;
        }
    }

    /** A 400 for an unparsable request, or null when it is not a request with a Via we could answer to. */
    static String badRequest(String raw, ParseException e) {
        if (raw.startsWith("SIP/")) {
            return null; // a response: never answer one
        }
        String[] lines = raw.split("\r?\n");
        StringBuilder headers = new StringBuilder();
        boolean via = false;
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            String line = lines[i];
            if (!printable(line)) {
                continue; // a bare CR, NUL or other control byte would break the answer's own framing
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "via", "v" -> {
                    via = true;
                    headers.append(line).append("\r\n");
                }
                case "from", "f", "to", "t", "call-id", "i", "cseq" -> headers.append(line).append("\r\n");
                default -> { }
            }
        }
        if (!via) {
            return null;
        }
        String status = e instanceof Refusal r ? r.status + " " + r.getMessage() : "400 " + reason(e);
        return "SIP/2.0 " + status + "\r\n" + headers + "Server: " + StatelessRequests.serverHeader()
                + "\r\nContent-Length: 0\r\n\r\n";
    }

    /** True when the line has no control characters but tab (nothing that could end or split a header line). */
    static boolean printable(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** "Malformed CSeq header" from the parser's message, which starts with the offending header line. */
    static String reason(ParseException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().trim();
        int colon = m.indexOf(':');
        String name = colon > 0 ? m.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
        String pretty = switch (name) {
            case "to", "t" -> "To";
            case "from", "f" -> "From";
            case "cseq" -> "CSeq";
            case "call-id", "i" -> "Call-ID";
            case "via", "v" -> "Via";
            case "content-length", "l" -> "Content-Length";
            case "max-forwards" -> "Max-Forwards";
            default -> null;
        };
        return pretty == null ? "Malformed Request" : "Malformed " + pretty + " header";
    }
}
