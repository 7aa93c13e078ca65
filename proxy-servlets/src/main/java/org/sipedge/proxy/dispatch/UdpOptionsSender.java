package org.sipedge.proxy.dispatch;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.sipedge.dispatcher.core.Destination;
import org.sipedge.dispatcher.probe.OptionsSender;

/**
 * The dispatcher's health probe on the wire: an OPTIONS over UDP from a socket of its own (so probes never queue
 * behind calls in the container), matched to its answer by Call-ID. Destinations must be IP literals — a probe never
 * resolves a name. The prober bounds the wait; a probe it gave up on is forgotten here when the table is full.
 */
public final class UdpOptionsSender implements OptionsSender, AutoCloseable {
    private static final Logger LOG = Logger.getLogger("org.sipedge.dispatcher");
    private static final int MAX_PENDING = 4096;

    private final DatagramSocket socket;
    private final String localHost;
    private final Map<String, CompletableFuture<Integer>> pending = new ConcurrentHashMap<>();
    private final Thread reader;

    public UdpOptionsSender(InetAddress bind) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(bind, 0));
        String host = bind.getHostAddress();
        this.localHost = host.contains(":") ? "[" + host + "]" : host;
        this.reader = new Thread(this::readLoop, "sipedge-dispatcher-probe");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public CompletionStage<Integer> options(Destination destination) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        HostPort hp = HostPort.of(destination.uri());
        if (hp == null) {
            f.completeExceptionally(new IllegalArgumentException("not a sip URI with an IP literal: "
                    + destination.uri()));
            return f;
        }
        if (pending.size() >= MAX_PENDING) {
            pending.clear(); // every one of them is long past the prober's timeout
        }
        String callId = "probe-" + UUID.randomUUID();
        String branch = "z9hG4bK-probe-" + UUID.randomUUID();
        int port = socket.getLocalPort();
        String target = destination.uri().startsWith("sip:") ? destination.uri() : "sip:" + destination.uri();
        String msg = "OPTIONS " + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + localHost + ":" + port + ";branch=" + branch + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:dispatcher@" + localHost + ":" + port + ">;tag=" + callId.substring(6, 14) + "\r\n"
                + "To: <" + target + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
        pending.put(callId, f);
        f.whenComplete((v, e) -> pending.remove(callId));
        try {
            byte[] out = msg.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(out, out.length, new InetSocketAddress(hp.address(), hp.port())));
        } catch (IOException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    private void readLoop() {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.fine("probe socket: " + e);
                }
                continue;
            }
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            if (!text.startsWith("SIP/2.0 ") || text.length() < 11) {
                continue;
            }
            int status;
            try {
                status = Integer.parseInt(text.substring(8, 11));
            } catch (NumberFormatException e) {
                continue;
            }
            if (status < 200) {
                continue;
            }
            String callId = header(text, "call-id", "i");
            CompletableFuture<Integer> f = callId == null ? null : pending.get(callId);
            if (f != null) {
                f.complete(status);
            }
        }
    }

    private static String header(String msg, String name, String compact) {
        for (String line : msg.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                if (line.isEmpty()) {
                    break;
                }
                continue;
            }
            String n = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (n.equals(name) || n.equals(compact)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() {
        socket.close();
        pending.values().forEach(f -> f.completeExceptionally(new IOException("closed")));
    }

    /** Host (IP literal) and port of a {@code sip:} URI; null when the host is a name. */
    record HostPort(InetAddress address, int port) {
        static HostPort of(String uri) {
            String u = uri.trim();
            if (u.regionMatches(true, 0, "sip:", 0, 4)) {
                u = u.substring(4);
            }
            int at = u.indexOf('@');
            if (at >= 0) {
                u = u.substring(at + 1);
            }
            int semi = u.indexOf(';');
            if (semi >= 0) {
                u = u.substring(0, semi);
            }
            String host;
            int port = 5060;
            if (u.startsWith("[")) {
                int end = u.indexOf(']');
                if (end < 0) {
                    return null;
                }
                host = u.substring(1, end);
                if (u.length() > end + 2 && u.charAt(end + 1) == ':') {
                    port = Integer.parseInt(u.substring(end + 2));
                }
            } else {
                int colon = u.indexOf(':');
                host = colon < 0 ? u : u.substring(0, colon);
                if (colon >= 0) {
                    port = Integer.parseInt(u.substring(colon + 1));
                }
            }
            if (!host.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !host.contains(":")) {
                return null; // a name: probes never resolve
            }
            try {
                return new HostPort(InetAddress.getByName(host), port); // a literal: no lookup
            } catch (IOException e) {
                return null;
            }
        }
    }
}
