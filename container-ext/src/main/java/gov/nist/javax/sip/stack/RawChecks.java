package gov.nist.javax.sip.stack;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;

/**
 * What JAIN SIP's parser accepts but RFC 3261 does not, checked on the raw bytes of a message it parsed (RFC 4475
 * and RFC 5118 torture cases): the parser reads any SIP-Version as 2.0, keeps one of a repeated single-value header
 * and drops the other, brackets an IPv6 Request-URI host that had none, and lets a request without Call-ID, From
 * or To through to be dropped silently later. A request is refused with the status RFC 3261 gives (505, or 400
 * naming the header); a response is dropped.
 */
final class RawChecks {
    private RawChecks() {
    }

    static void check(byte[] raw, SIPMessage message) throws ParseException {
        int lineEnd = indexOf(raw, 0, (byte) '\n');
        String first = new String(raw, 0, lineEnd < 0 ? raw.length : lineEnd, StandardCharsets.ISO_8859_1).trim();
        boolean request = message instanceof SIPRequest;
        if (!request) {
            if (!first.regionMatches(true, 0, "SIP/2.0 ", 0, 8)) {
                throw new ParseException("SIP-Version of a response: " + first, 0);
            }
        } else {
            int last = first.lastIndexOf(' ');
            if (last < 0 || !first.substring(last + 1).equalsIgnoreCase("SIP/2.0")) {
                throw new SipEdgeParserFactory.Refusal(505, "Version Not Supported");
            }
            int firstSpace = first.indexOf(' ');
            if (firstSpace > 0 && firstSpace < last && unbracketedIpv6(first.substring(firstSpace + 1, last).trim())) {
                throw new SipEdgeParserFactory.Refusal(400, "Malformed Request-URI: IPv6 host without brackets");
            }
        }
        String repeated = repeatedSingleHeader(raw, lineEnd + 1);
        if (repeated != null) {
            throw new SipEdgeParserFactory.Refusal(400, "Repeated " + repeated + " header");
        }
        if (request) {
            SIPRequest r = (SIPRequest) message;
            String missing = r.getCallId() == null ? "Call-ID" : r.getFrom() == null ? "From"
                    : r.getTo() == null ? "To" : r.getCSeq() == null ? "CSeq" : null;
            if (missing != null) {
                throw new SipEdgeParserFactory.Refusal(400, "Missing " + missing + " header");
            }
            if (r.getCallId().getCallId() == null || r.getCallId().getCallId().isBlank()) {
                // the stack would refuse it a transaction and the container answer 500
                throw new SipEdgeParserFactory.Refusal(400, "Malformed Call-ID header");
            }
        }
    }

    /** A sip/sips Request-URI whose host is an IPv6 address written without [ ] (RFC 5118 4.2). */
    static boolean unbracketedIpv6(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        int colon = lower.startsWith("sip:") ? 4 : lower.startsWith("sips:") ? 5 : -1;
        if (colon < 0) {
            return false;
        }
        String rest = uri.substring(colon);
        int at = rest.lastIndexOf('@');
        String host = rest.substring(at + 1);
        int end = host.length();
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == ';' || c == '?') {
                end = i;
                break;
            }
        }
        host = host.substring(0, end);
        return !host.startsWith("[") && host.indexOf(':') != host.lastIndexOf(':');
    }

    /** The first single-value header (RFC 3261 7.3) that appears twice in the header block, or null. */
    static String repeatedSingleHeader(byte[] raw, int from) {
        int seen = 0;
        int pos = from;
        while (pos < raw.length) {
            int end = indexOf(raw, pos, (byte) '\n');
            if (end < 0) {
                end = raw.length;
            }
            int lineLength = end - pos - (end > pos && raw[end - 1] == '\r' ? 1 : 0);
            if (lineLength == 0) {
                break; // the empty line: the body follows
            }
            if (raw[pos] != ' ' && raw[pos] != '\t') {
                int colon = indexOf(raw, pos, (byte) ':');
                if (colon > pos && colon < end) {
                    int bit = singleHeaderBit(raw, pos, colon);
                    if (bit != 0 && (seen & bit) != 0) {
                        return pretty(bit);
                    }
                    seen |= bit;
                }
            }
            pos = end + 1;
        }
        return null;
    }

    private static final byte[][] SINGLE_NAMES = {
        ascii("call-id"), ascii("i"), ascii("from"), ascii("f"), ascii("to"), ascii("t"), ascii("cseq"),
        ascii("max-forwards"), ascii("content-length"), ascii("l"), ascii("content-type"), ascii("c")};
    private static final int[] SINGLE_BITS = {1, 1, 2, 2, 4, 4, 8, 16, 32, 32, 64, 64};

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The bit of the single-value header named by {@code raw[from, colon)} (blanks around the name ignored, case
     * ignored), 0 for any other name. Compares bytes: a String per header line of every message was a measurable
     * share of what a REGISTER allocates.
     */
    static int singleHeaderBit(byte[] raw, int from, int colon) {
        int start = from;
        int end = colon;
        while (start < end && (raw[start] == ' ' || raw[start] == '\t')) {
            start++;
        }
        while (end > start && (raw[end - 1] == ' ' || raw[end - 1] == '\t')) {
            end--;
        }
        int length = end - start;
        for (int n = 0; n < SINGLE_NAMES.length; n++) {
            byte[] name = SINGLE_NAMES[n];
            if (name.length != length) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < length && same; i++) {
                int c = raw[start + i];
                same = (c >= 'A' && c <= 'Z' ? c + 32 : c) == name[i];
            }
            if (same) {
                return SINGLE_BITS[n];
            }
        }
        return 0;
    }

    private static String pretty(int bit) {
        return switch (bit) {
            case 1 -> "Call-ID";
            case 2 -> "From";
            case 4 -> "To";
            case 8 -> "CSeq";
            case 16 -> "Max-Forwards";
            case 32 -> "Content-Length";
            default -> "Content-Type";
        };
    }

    private static int indexOf(byte[] b, int from, byte what) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == what) {
                return i;
            }
        }
        return -1;
    }
}
