package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A parsed SDP that keeps every line verbatim and in order, with its own line ending, so that a rewrite can pass
 * through what it does not interpret exactly as rtpengine does. SDP is handled as a wire string: one char per byte
 * (ISO-8859-1), never decoded as UTF-8.
 *
 * <p>Parsing follows rtpengine 10.5's sdp_parse(): lines end with LF or CRLF; an empty line ends the SDP (what
 * follows is dropped, as rtpengine does without --reject-invalid-sdp); every line is {@code <letter>=}; the first is
 * {@code v=0}; o= and s= only before the first m=; c= addresses are IP literals; at most one o= and one c= per
 * section. An SDP without m= lines parses (rtpengine then fails with "Error rewriting SDP"; see
 * {@link #media()}).
 */
public final class SessionDescription {
    /** The line types rtpengine accepts; any other letter is "Unknown SDP line type found". */
    private static final String LINE_TYPES = "vomcabksiueptrz";

    private final List<SdpLine> sessionLines;
    private final List<Attribute> attributes;
    private final Origin origin;
    private final Connection connection;
    private final List<MediaDescription> media;

    private SessionDescription(List<SdpLine> sessionLines, List<Attribute> attributes, Origin origin,
            Connection connection, List<MediaDescription> media) {
        this.sessionLines = sessionLines;
        this.attributes = attributes;
        this.origin = origin;
        this.connection = connection;
        this.media = media;
    }

    /**
     * Parses a wire string.
     *
     * @throws SdpException when it is not SDP rtpengine would accept (its "Failed to parse SDP"), or when an RTP m=
     *         line lists a payload type that is not 0-127 ("Incomplete SDP specification")
     */
    public static SessionDescription parse(String wire) {
        if (wire == null) {
            throw new SdpException(SdpException.Kind.NOT_SDP, "no SDP");
        }
        List<SdpLine> lines = splitLines(wire);
        if (lines.isEmpty()) {
            throw new SdpException(SdpException.Kind.NOT_SDP, "empty SDP");
        }
        if (lines.get(0).type() != 'v') {
            throw notSdp(lines.get(0), "SDP doesn't start with a session definition");
        }
        List<SdpLine> session = new ArrayList<>();
        List<List<SdpLine>> sections = new ArrayList<>();
        Origin origin = null;
        Connection connection = null;
        for (int i = 0; i < lines.size(); i++) {
            SdpLine line = lines.get(i);
            char type = line.type();
            boolean inMedia = !sections.isEmpty();
            switch (type) {
                case 'v' -> {
                    if (i > 0) {
                        // rtpengine accepts several sessions in one body; no SIP UA sends that
                        throw notSdp(line, "more than one session (second v= line)");
                    }
                    if (!line.value().equals("0")) {
                        throw notSdp(line, "Error in v= line");
                    }
                }
                case 'o' -> {
                    if (inMedia) {
                        throw notSdp(line, "o= line found within media section");
                    }
                    if (origin != null) {
                        throw notSdp(line, "second o= line");
                    }
                    origin = Origin.parse(line.value());
                    if (origin == null) {
                        throw notSdp(line, "Error parsing o= line");
                    }
                }
                case 's' -> {
                    if (inMedia) {
                        throw notSdp(line, "s= line found within media section");
                    }
                }
                case 'c' -> {
                    if (!inMedia) {
                        if (connection != null) {
                            throw notSdp(line, "second session-level c= line");
                        }
                        connection = Connection.parse(line.value());
                        if (connection == null) {
                            throw notSdp(line, "Error parsing c= line");
                        }
                    }
                }
                case 'm' -> sections.add(new ArrayList<>());
                default -> {
                    if (LINE_TYPES.indexOf(type) < 0) {
                        throw notSdp(line, "Unknown SDP line type found");
                    }
                }
            }
            if (type == 'm') {
                sections.get(sections.size() - 1).add(line);
            } else if (inMedia) {
                sections.get(sections.size() - 1).add(line);
            } else {
                session.add(line);
            }
        }
        List<Attribute> attributes = new ArrayList<>();
        for (SdpLine l : session) {
            if (l.type() == 'a') {
                attributes.add(Attribute.of(l));
            }
        }
        List<Attribute> sessionAttributes = Collections.unmodifiableList(attributes);
        List<MediaDescription> media = new ArrayList<>();
        for (List<SdpLine> section : sections) {
            media.add(MediaDescription.parse(media.size() + 1, section.get(0), section.subList(1, section.size()),
                    connection, sessionAttributes));
        }
        return new SessionDescription(List.copyOf(session), sessionAttributes, origin, connection,
                List.copyOf(media));
    }

    /**
     * Splits at LF, remembering each line's ending (CRLF or LF; "" for a last line without one). Stops at the first
     * empty line or a line starting with CR, as rtpengine does: the rest of the body is not SDP.
     */
    private static List<SdpLine> splitLines(String wire) {
        List<SdpLine> lines = new ArrayList<>();
        int pos = 0;
        while (pos < wire.length()) {
            if (wire.charAt(pos) == '\n' || wire.charAt(pos) == '\r') {
                break;
            }
            int lf = wire.indexOf('\n', pos);
            String text;
            String ending;
            if (lf < 0) {
                text = wire.substring(pos);
                ending = "";
                pos = wire.length();
            } else {
                boolean cr = lf > pos && wire.charAt(lf - 1) == '\r';
                text = wire.substring(pos, cr ? lf - 1 : lf);
                ending = cr ? SdpLine.CRLF : "\n";
                pos = lf + 1;
            }
            if (text.length() < 2 || text.charAt(1) != '=') {
                throw new SdpException(SdpException.Kind.NOT_SDP, "Missing '=' sign: " + abbreviate(text));
            }
            lines.add(new SdpLine(text, ending));
        }
        return lines;
    }

    private static SdpException notSdp(SdpLine line, String why) {
        return new SdpException(SdpException.Kind.NOT_SDP, why + ": " + abbreviate(line.text()));
    }

    /** Error messages end up in logs: a 60 KB garbage line must not. */
    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** The o= line, or null when the SDP has none (rtpengine accepts that). */
    public Origin origin() {
        return origin;
    }

    /** The session-level c= line, or null. */
    public Connection connection() {
        return connection;
    }

    /** The session-level a= lines in order. */
    public List<Attribute> attributes() {
        return attributes;
    }

    /** The lines before the first m= line, verbatim and in order (v=, o=, s=, c=, t=, a=, ...). */
    public List<SdpLine> sessionLines() {
        return sessionLines;
    }

    /** The m= sections in order; empty when the SDP has no m= line (rtpengine answers "Error rewriting SDP"). */
    public List<MediaDescription> media() {
        return media;
    }

    /** The SDP as parsed, byte for byte (without anything after an empty line). */
    public String toWire() {
        StringBuilder out = new StringBuilder();
        for (SdpLine l : sessionLines) {
            out.append(l.wire());
        }
        for (MediaDescription m : media) {
            out.append(m.mLine().wire());
            for (SdpLine l : m.lines()) {
                out.append(l.wire());
            }
        }
        return out.toString();
    }
}
