package org.sipedge.relay.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

/**
 * One m= section as received: the m= line, then every line of the section in order (c=, b=, i=, k=, a=), kept
 * verbatim so that a rewrite can pass through what it does not interpret. The accessors give the effective values
 * the call model needs (media-level c= else session c=, a=rtcp else RTP port + 1, ...).
 */
public final class MediaDescription {
    private final int index;
    private final SdpLine mLine;
    private final String type;
    private final int port;
    private final int portCount; // 0 when the m= line has no '/count'
    private final String protocol;
    private final List<String> formats;
    private final List<SdpLine> lines;
    private final List<Attribute> attributes;
    private final Connection connection;
    private final Connection sessionConnection;
    private final List<Attribute> sessionAttributes;

    private MediaDescription(int index, SdpLine mLine, String type, int port, int portCount, String protocol,
            List<String> formats, List<SdpLine> lines, Connection connection, Connection sessionConnection,
            List<Attribute> sessionAttributes) {
        this.index = index;
        this.mLine = mLine;
        this.type = type;
        this.port = port;
        this.portCount = portCount;
        this.protocol = protocol;
        this.formats = formats;
        this.lines = lines;
        this.connection = connection;
        this.sessionConnection = sessionConnection;
        this.sessionAttributes = sessionAttributes;
        List<Attribute> attrs = new ArrayList<>();
        for (SdpLine l : lines) {
            if (l.type() == 'a') {
                attrs.add(Attribute.of(l));
            }
        }
        this.attributes = Collections.unmodifiableList(attrs);
    }

    /** Parses the m= line and its section; the other lines were checked by {@link SessionDescription#parse}. */
    static MediaDescription parse(int index, SdpLine mLine, List<SdpLine> section, Connection sessionConnection,
            List<Attribute> sessionAttributes) {
        Tokens t = new Tokens(mLine.value());
        String type = t.next();
        String portToken = t.next();
        String protocol = t.next();
        if (protocol == null) {
            throw notSdp(mLine, "m= line needs media type, port and protocol");
        }
        String portText = portToken;
        int slash = portToken.indexOf('/');
        if (slash >= 0) {
            portText = portToken.substring(0, slash);
        }
        // strict where rtpengine's strtol is lenient ("40000abc" passes there): a port is digits, nothing else
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw notSdp(mLine, "bad port");
        }
        int port = Integer.parseInt(portText);
        if (port > 0xffff) {
            throw notSdp(mLine, "port out of range");
        }
        int portCount = 0; // not written
        if (slash >= 0) {
            // rtpengine refuses 0 and more than 10 consecutive ports
            portCount = Attribute.leadingInt(portToken.substring(slash + 1), 0);
            if (portCount < 1 || portCount > 10) {
                throw notSdp(mLine, "bad port count");
            }
        }
        List<String> formats = new ArrayList<>();
        Tokens f = new Tokens(t.rest());
        for (String format = f.next(); format != null; format = f.next()) {
            formats.add(format);
        }
        Transport transport = Transport.byName(protocol);
        if (transport != null && transport.rtp) {
            for (String format : formats) {
                int pt = payloadType(format);
                if (pt < 0 || pt > 127) {
                    throw new SdpException(SdpException.Kind.INCOMPLETE,
                            "invalid RTP payload type '" + format + "' in m= line " + index);
                }
            }
        }
        Connection connection = null;
        for (SdpLine l : section) {
            if (l.type() == 'c') {
                if (connection != null) {
                    throw notSdp(l, "second c= line in a media section");
                }
                connection = Connection.parse(l.value());
                if (connection == null) {
                    throw notSdp(l, "bad c= line");
                }
            }
        }
        return new MediaDescription(index, mLine, type, port, portCount, protocol, List.copyOf(formats),
                List.copyOf(section), connection, sessionConnection, sessionAttributes);
    }

    /** A payload type as rtpengine reads a format (strtoul: leading digits count), or -1. */
    static int payloadType(String format) {
        if (format.isEmpty() || format.charAt(0) < '0' || format.charAt(0) > '9') {
            return -1;
        }
        int n = Attribute.leadingInt(format, -1);
        return n < 0 ? 128 : n; // an overflowing number is as invalid as 128
    }

    private static SdpException notSdp(SdpLine line, String why) {
        return new SdpException(SdpException.Kind.NOT_SDP, why + ": " + line.text());
    }

    /** 1-based position of this m= line in the SDP (what generate-mid writes). */
    public int index() {
        return index;
    }

    public String type() {
        return type;
    }

    /** The port of the m= line; 0 means rejected. */
    public int port() {
        return port;
    }

    /** The number after '/' in the port ({@code m=audio 40000/2}), if written. */
    public OptionalInt portCount() {
        return portCount == 0 ? OptionalInt.empty() : OptionalInt.of(portCount);
    }

    /** The protocol as written (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, udptl, TCP/MSRP, ...). */
    public String protocol() {
        return protocol;
    }

    /** Whether rtpengine treats this media as RTP (its protocol is one of the RTP profiles it knows). */
    public boolean isRtp() {
        Transport t = Transport.byName(protocol);
        return t != null && t.rtp;
    }

    /** The formats of the m= line in order: payload types for RTP ("0", "8", "101"), else whatever is written. */
    public List<String> formats() {
        return formats;
    }

    /** The media-level c= line, or null. */
    public Connection connection() {
        return connection;
    }

    /** The a= lines of this section in order. */
    public List<Attribute> attributes() {
        return attributes;
    }

    /** The lines after the m= line, verbatim and in order (c=, b=, i=, k=, a=). */
    public List<SdpLine> lines() {
        return lines;
    }

    SdpLine mLine() {
        return mLine;
    }

    /** The connection that applies: media-level c= else session-level c=, or null when the SDP has none. */
    public Connection effectiveConnection() {
        return connection != null ? connection : sessionConnection;
    }

    /** The address media should go to (media-level c= else session c=), or null when there is none. */
    public String connectionAddress() {
        Connection c = effectiveConnection();
        return c == null ? null : c.address();
    }

    /** IP4 or IP6, from the connection that applies; null when there is none. */
    public String addressFamily() {
        Connection c = effectiveConnection();
        return c == null ? null : c.addrType();
    }

    public int rtpPort() {
        return port;
    }

    /** The port of a=rtcp when present (whatever it says, even 9 with rtcp-mux), else RTP port + 1. */
    public int rtcpPort() {
        RtcpAttribute rtcp = rtcpAttribute();
        if (rtcp != null) {
            return rtcp.port();
        }
        return port == 0 ? 0 : port + 1;
    }

    /** The address of {@code a=rtcp:PORT IN IP4 addr}, or null when a=rtcp names none. */
    public String rtcpAddress() {
        RtcpAttribute rtcp = rtcpAttribute();
        return rtcp == null || rtcp.address() == null ? null : rtcp.address().address();
    }

    /**
     * Whether a=rtcp-mux is present. rtpengine also takes {@code a=rtcp:<RTP port>} as mux; callers who want that
     * can compare {@link #rtcpPort()} with {@link #rtpPort()}.
     */
    public boolean rtcpMux() {
        return has("rtcp-mux");
    }

    /**
     * The direction that applies: media-level attributes, else session-level, else sendrecv. Like rtpengine, a
     * recvonly anywhere wins over sendonly, which wins over inactive.
     */
    public Direction direction() {
        if (hasHere("recvonly") || hasInSession("recvonly")) {
            return Direction.RECVONLY;
        }
        if (hasHere("sendonly") || hasInSession("sendonly")) {
            return Direction.SENDONLY;
        }
        if (hasHere("inactive") || hasInSession("inactive")) {
            return Direction.INACTIVE;
        }
        return Direction.SENDRECV;
    }

    /** a=candidate here, or a=ice-ufrag here or at session level (what makes rtpengine run ICE). */
    public boolean hasIce() {
        return has("candidate") || has("ice-ufrag") || hasInSession("ice-ufrag");
    }

    /** a=fingerprint here or at session level. */
    public boolean hasDtls() {
        return has("fingerprint") || hasInSession("fingerprint");
    }

    /** a=crypto (SDES) in this section. */
    public boolean hasCrypto() {
        return has("crypto");
    }

    /** The value of the first a=mid, or null. */
    public String mid() {
        for (Attribute a : attributes) {
            if (a.is("mid")) {
                return a.value();
            }
        }
        return null;
    }

    /**
     * The packet time of the first a=ptime as rtpengine reads it (leading integer; "20.5" is 20), or 0 when absent
     * or not a positive number.
     */
    public int ptime() {
        for (Attribute a : attributes) {
            if (a.is("ptime")) {
                return Math.max(0, Attribute.leadingInt(a.value(), 0));
            }
        }
        return 0;
    }

    public boolean isRejected() {
        return port == 0;
    }

    /** Whether this section has an attribute of that name. */
    public boolean has(String attributeName) {
        return hasHere(attributeName);
    }

    private boolean hasHere(String name) {
        for (Attribute a : attributes) {
            if (a.is(name)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasInSession(String name) {
        for (Attribute a : sessionAttributes) {
            if (a.is(name)) {
                return true;
            }
        }
        return false;
    }

    /** The first a=rtcp rtpengine can read (port 1-65535), or null. */
    private RtcpAttribute rtcpAttribute() {
        for (Attribute a : attributes) {
            if (a.is("rtcp")) {
                RtcpAttribute r = RtcpAttribute.parse(a.value());
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return mLine.text();
    }
}
