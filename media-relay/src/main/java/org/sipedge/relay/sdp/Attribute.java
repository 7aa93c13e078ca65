package org.sipedge.relay.sdp;

/**
 * An {@code a=} line split as rtpengine splits it: the name up to the first ':', the value after it ({@code null}
 * for a property attribute such as {@code a=sendrecv}). Names are case-sensitive, as in rtpengine
 * ({@code a=SENDONLY} is an unknown attribute that is passed through).
 */
public record Attribute(String name, String value) {

    static Attribute of(SdpLine line) {
        String v = line.value();
        int colon = v.indexOf(':');
        return colon < 0 ? new Attribute(v, null) : new Attribute(v.substring(0, colon), v.substring(colon + 1));
    }

    /** Whether this attribute has that name (SDP attribute names are compared as written). */
    public boolean is(String attributeName) {
        return name.equals(attributeName);
    }

    /**
     * The integer at the start of {@code s} the way C's strtoll reads it (leading blanks, a sign, digits; anything
     * after is ignored), or {@code fallback} when there is none or it does not fit an int. rtpengine reads numbers
     * in attributes (ptime, rtcp port, fmtp/rtcp-fb payload type) like this.
     */
    static int leadingInt(String s, int fallback) {
        if (s == null) {
            return fallback;
        }
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        long n = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            n = n * 10 + (s.charAt(i) - '0');
            if (n > Integer.MAX_VALUE + 1L) {
                return fallback;
            }
            i++;
        }
        if (i == start) {
            return fallback;
        }
        n = negative ? -n : n;
        return n > Integer.MAX_VALUE || n < Integer.MIN_VALUE ? fallback : (int) n;
    }
}
