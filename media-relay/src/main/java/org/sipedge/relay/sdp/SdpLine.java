package org.sipedge.relay.sdp;

/**
 * One SDP line as received: its text without the line ending, and the ending itself ("\r\n", "\n", or "" for a last
 * line without one). rtpengine copies lines it does not touch byte for byte, so the ending is part of the value.
 */
public record SdpLine(String text, String ending) {

    /** The ending of every line this package writes itself. */
    public static final String CRLF = "\r\n";

    public SdpLine {
        if (text.length() < 2 || text.charAt(1) != '=') {
            throw new IllegalArgumentException("not an SDP line: " + text);
        }
    }

    /** A line this package writes: always CRLF, as rtpengine writes its own lines. */
    static SdpLine generated(String text) {
        return new SdpLine(text, CRLF);
    }

    /** The letter before '='. */
    public char type() {
        return text.charAt(0);
    }

    /** Everything after '='. */
    public String value() {
        return text.substring(2);
    }

    /** The same line with other text but the original ending (rtpengine edits lines in place). */
    SdpLine withText(String newText) {
        return new SdpLine(newText, ending);
    }

    /** The line exactly as received. */
    public String wire() {
        return text + ending;
    }

    /**
     * The line as a rewritten SDP carries it: a last line that had no ending gets CRLF, so that the lines written
     * after it cannot run into it (rtpengine 10.5 glues them on: "a=x-ba=rtpmap:0 PCMU/8000").
     */
    void appendTerminated(StringBuilder out) {
        out.append(text).append(ending.isEmpty() ? CRLF : ending);
    }
}
