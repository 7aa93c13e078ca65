package org.sipedge.launcher.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * A minimal SIP phone on a UDP socket of its own (127.0.0.1, port from the OS) for tests that need to see what the
 * proxy delivers and answer it: sends requests as written, receives whole messages, answers requests by copying
 * their Via, From, To, Call-ID and CSeq. No retransmissions: tests on loopback wait with a bound instead.
 */
final class UdpPhone implements AutoCloseable {
    private final DatagramSocket socket;
    private SocketAddress lastSource;

    UdpPhone() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    /** On another loopback address (127.0.0.x), e.g. a trusted peer's. */
    UdpPhone(String loopbackAddress) throws IOException {
        socket = new DatagramSocket(0, InetAddress.getByName(loopbackAddress));
    }

    String address() {
        return socket.getLocalAddress().getHostAddress();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** A MESSAGE from this phone to {@code to}@127.0.0.1 with a UTF-8 text body. */
    String message(String from, String to, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "MESSAGE sip:" + to + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + from + "@127.0.0.1>;tag=" + UUID.randomUUID().toString().substring(0, 8) + "\r\n"
                + "To: <sip:" + to + "@127.0.0.1>\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n" + body;
    }

    void send(int port, String message) throws IOException {
        byte[] out = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    /** The next SIP message (keep-alive CRLFs skipped), or null when none arrives within {@code wait}. */
    String receive(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[65535];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (!text.isBlank()) {
                lastSource = p.getSocketAddress();
                return text;
            }
        }
    }

    /** The next final response (1xx skipped), or null. */
    String finalResponse(Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String m = receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (m == null || (m.startsWith("SIP/2.0 ") && m.charAt(8) != '1')) {
                return m;
            }
        }
    }

    /** Answers {@code request} (the last message received) with a response without body. */
    void reply(String request, int status, String reason) throws IOException {
        StringBuilder r = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String line : headerLines(request)) {
            String lower = line.toLowerCase();
            if (lower.startsWith("via:") || lower.startsWith("v:") || lower.startsWith("from:")
                    || lower.startsWith("call-id:") || lower.startsWith("cseq:")) {
                r.append(line).append("\r\n");
            } else if (lower.startsWith("to:")) {
                r.append(line.contains(";tag=") ? line : line + ";tag=phone" + port()).append("\r\n");
            }
        }
        r.append("Content-Length: 0\r\n\r\n");
        byte[] out = r.toString().getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length, lastSource));
    }

    static String[] headerLines(String message) {
        int end = message.indexOf("\r\n\r\n");
        return (end < 0 ? message : message.substring(0, end)).split("\r\n");
    }

    static String body(String message) {
        int end = message.indexOf("\r\n\r\n");
        return end < 0 ? "" : message.substring(end + 4);
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(8, 11));
    }

    @Override
    public void close() {
        socket.close();
    }
}
