package org.sipedge.launcher.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A deliberately dumb SIP client for tests: sends a request exactly as written (so it can be malformed on
 * purpose) over UDP or TCP to loopback, and reads one final response.
 */
public final class SipProbe {
    private SipProbe() {
    }

    /** A parsed response: status, reason, raw text, header lookup. */
    public record Response(int status, String reason, String raw) {
        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            String lower = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : raw.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(lower)) {
                    out.add(line.substring(lower.length()).trim());
                }
            }
            return out;
        }

        public String header(String name) {
            List<String> h = headers(name);
            return h.isEmpty() ? null : h.get(0);
        }

        /** Contact values, split on the commas between addresses. */
        public List<String> contacts() {
            List<String> out = new ArrayList<>();
            for (String h : headers("Contact")) {
                for (String part : h.split(",(?=\\s*<)")) {
                    out.add(part.trim());
                }
            }
            return out;
        }
    }

    public static Response udp(int port, String request) throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(4000);
            byte[] out = fill(request, "UDP", s.getLocalPort()).getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
            byte[] buf = new byte[65535];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                Response r = parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                if (r.status() >= 200) {
                    return r;
                }
            }
        }
    }

    public static Response tcp(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
            s.setSoTimeout(4000);
            OutputStream o = s.getOutputStream();
            o.write(fill(request, "TCP", s.getLocalPort()).getBytes(StandardCharsets.UTF_8));
            o.flush();
            return readOne(s.getInputStream());
        }
    }

    static Response readOne(InputStream in) throws IOException {
        ByteArrayOutputStream acc = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                return null;
            }
            acc.write(buf, 0, n);
            String text = acc.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            while (end >= 0) {
                Response r = parse(text.substring(0, end + 4));
                text = text.substring(end + 4);
                if (r.status() >= 200) {
                    return r;
                }
                end = text.indexOf("\r\n\r\n");
            }
            acc.reset();
            acc.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Replaces the placeholders {@code $TRANSPORT}, {@code $LOCAL_PORT}, {@code $BRANCH}, {@code $CALL_ID}, turns
     * {@code \n} into CRLF and ends the headers with an empty line.
     */
    static String fill(String template, String transport, int localPort) {
        String t = template.replace("$TRANSPORT", transport).replace("$LOCAL_PORT", Integer.toString(localPort))
                .replace("$BRANCH", "z9hG4bK-" + UUID.randomUUID()).replace("$CALL_ID", UUID.randomUUID().toString());
        t = t.replace("\r\n", "\n").strip() + "\n";
        if (!t.contains("Content-Length")) {
            t += "Content-Length: 0\n";
        }
        return t.replace("\n", "\r\n") + "\r\n";
    }

    static Response parse(String text) {
        String first = text.substring(0, text.indexOf("\r\n"));
        String[] parts = first.split(" ", 3);
        return new Response(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", text);
    }

    /** A REGISTER for {@code user} as text with placeholders; {@code extra} lines are added to the headers. */
    public static String register(String user, int port, String callId, int cseq, String... extra) {
        StringBuilder sb = new StringBuilder();
        sb.append("REGISTER sip:127.0.0.1:").append(port).append(" SIP/2.0\n")
                .append("Via: SIP/2.0/$TRANSPORT 127.0.0.1:$LOCAL_PORT;branch=$BRANCH;rport\n")
                .append("Max-Forwards: 70\n")
                .append("From: <sip:").append(user).append("@127.0.0.1>;tag=t").append(cseq).append('\n')
                .append("To: <sip:").append(user).append("@127.0.0.1>\n")
                .append("Call-ID: ").append(callId).append('\n')
                .append("CSeq: ").append(cseq).append(" REGISTER\n");
        for (String e : extra) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }
}
