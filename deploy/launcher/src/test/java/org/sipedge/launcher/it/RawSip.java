package org.sipedge.launcher.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw SIP exchanges for the malformed-input tests: datagrams sent byte for byte, a TCP connection kept across
 * requests, and the checks of what came back on the wire (no internals leaked, well-formed framing).
 */
final class RawSip {
    private RawSip() {
    }

    /** Words and fragments that would show the stack, the container or a Java exception to the peer. */
    private static final List<String> LEAKS = List.of("exception", "java.", "at org.", "mobicents", "jain",
            "restcomm", "tomcat", "catalina", "gov.nist", "nist.");
    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b");
    private static final Pattern VERSION = Pattern.compile("(?<![\\w.])v?\\d+\\.\\d+(\\.\\d+)*(-\\w+)?");
    private static final Pattern HEADER_LINE = Pattern.compile("^[A-Za-z0-9!%*_+`'~.-]+[ \\t]*:.*$");
    private static final Pattern CONTENT_LENGTH =
            Pattern.compile("(?im)^(?:Content-Length|l)[ \\t]*:[ \\t]*(\\d+)[ \\t]*$");

    /** Sends {@code datagram} from a fresh socket; returns the first final response's text, or null. */
    static String udp(int port, byte[] datagram, Duration wait) throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return udpOn(s, port, datagram, wait);
        }
    }

    /** Fills the placeholders of a SipProbe template for UDP from a fresh socket and sends it. */
    static String udpTemplate(int port, String template, Duration wait) throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] out = SipProbe.fill(template, "UDP", s.getLocalPort()).getBytes(StandardCharsets.UTF_8);
            return udpOn(s, port, out, wait);
        }
    }

    private static String udpOn(DatagramSocket s, int port, byte[] datagram, Duration wait) throws IOException {
        s.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
        long end = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[65535];
        for (int i = 0; i < 20; i++) { // provisionals at most; bounded
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            s.setSoTimeout((int) Math.max(1, left));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (!isProvisional(text)) {
                return text;
            }
        }
        return null;
    }

    private static boolean isProvisional(String text) {
        return text.startsWith("SIP/2.0 1");
    }

    /** One TCP connection to the product, kept open across requests. */
    static final class TcpSession implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        private boolean closedByPeer;

        TcpSession(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
            in = socket.getInputStream();
        }

        /** Sends a SipProbe template and returns the first final response's text, or null (timeout or closed). */
        String exchange(String template, Duration wait) throws IOException {
            String msg = SipProbe.fill(template, "TCP", socket.getLocalPort());
            try {
                socket.getOutputStream().write(msg.getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                closedByPeer = true;
                return null;
            }
            long end = System.nanoTime() + wait.toNanos();
            for (int i = 0; i < 20; i++) {
                String r = readMessage(end);
                if (r == null || !isProvisional(r)) {
                    return r;
                }
            }
            return null;
        }

        private String readMessage(long endNanos) throws IOException {
            byte[] buf = new byte[8192];
            for (int i = 0; i < 10_000; i++) {
                byte[] have = pending.toByteArray();
                String text = new String(have, StandardCharsets.ISO_8859_1);
                int headerEnd = text.indexOf("\r\n\r\n");
                if (headerEnd >= 0) {
                    Matcher m = CONTENT_LENGTH.matcher(text.substring(0, headerEnd));
                    int body = m.find() ? Integer.parseInt(m.group(1)) : 0;
                    int total = headerEnd + 4 + body;
                    if (have.length >= total) {
                        pending.reset();
                        pending.write(have, total, have.length - total);
                        return new String(have, 0, total, StandardCharsets.UTF_8);
                    }
                }
                long left = (endNanos - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    return null;
                } catch (IOException e) {
                    closedByPeer = true;
                    return null;
                }
                if (n < 0) {
                    closedByPeer = true;
                    return null;
                }
                pending.write(buf, 0, n);
            }
            return null;
        }

        boolean closedByPeer() {
            return closedByPeer;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** What a peer must never see: stack or container names, Java exception text, version strings. */
    static List<String> leaks(String raw) {
        List<String> out = new ArrayList<>();
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String w : LEAKS) {
            if (lower.contains(w)) {
                out.add("contains '" + w + "'");
            }
        }
        String scrubbed = IPV4.matcher(raw.replace("SIP/2.0", "")).replaceAll("");
        Matcher v = VERSION.matcher(scrubbed);
        while (v.find()) {
            out.add("version-like string '" + v.group() + "'");
        }
        return out;
    }

    /**
     * Framing defects of a response as received whole (a datagram, or one TCP message): a status line with a bare
     * CR/LF in its reason, header lines that are not {@code name: value}, Content-Length missing or not matching.
     */
    static List<String> framingProblems(String raw) {
        List<String> out = new ArrayList<>();
        int eol = raw.indexOf("\r\n");
        if (eol < 0) {
            out.add("no CRLF at all");
            return out;
        }
        String status = raw.substring(0, eol);
        if (!status.matches("SIP/2\\.0 \\d{3} [^\\r\\n]*")) {
            out.add("status line is not 'SIP/2.0 NNN reason' on one line: " + Arrays.toString(status.split("\n")));
        }
        int headerEnd = raw.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            out.add("no empty line ending the headers");
            return out;
        }
        String headers = raw.substring(eol + 2, headerEnd);
        for (String line : headers.split("\r\n", -1)) {
            if (!HEADER_LINE.matcher(line).matches() && !line.startsWith(" ") && !line.startsWith("\t")) {
                out.add("not a header line: '" + line + "'");
            }
        }
        Matcher m = CONTENT_LENGTH.matcher(headers);
        if (!m.find()) {
            out.add("no Content-Length in the header block");
        } else {
            int declared = Integer.parseInt(m.group(1));
            int actual = raw.substring(headerEnd + 4).getBytes(StandardCharsets.UTF_8).length;
            if (declared != actual) {
                out.add("Content-Length " + declared + " but " + actual + " body bytes");
            }
        }
        return out;
    }

    /** First line of a response, with any bare CR/LF shown. */
    static String statusLine(String raw) {
        if (raw == null) {
            return "(no answer)";
        }
        int eol = raw.indexOf("\r\n");
        String s = eol < 0 ? raw : raw.substring(0, eol);
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
