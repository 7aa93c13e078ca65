package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipedge.sipp.Sipp;
import org.sipedge.sipp.SippProcess;
import org.sipedge.sipp.SippTransport;

/**
 * One conference failover decision for both proxy paths ({@code ConferenceFailover}): three conference servers
 * that are up (they answer the dispatcher's probes) but answer every INVITE 503. The same call — same caller and
 * conference, ordered by the conference ({@code hash-ruri-user}), so the dispatcher's order is the same — goes once
 * over UDP through the stateless fast path of one node and once over TCP through the container's proxy of another.
 * Each node must try all three servers, each once, in the same order, and the caller gets the last 503.
 */
class ConferenceFailoverIT {
    private static final Pattern STEP = Pattern.compile(
            "conference 77: (\\S+) answered 503(?: -> next (\\S+)|, no other server left)");

    @Test
    void theFastPathAndTheContainerPathFailOverInTheSameOrder(@TempDir Path dir) throws Exception {
        List<SippProcess> servers = new ArrayList<>();
        try {
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                SippProcess s = Sipp.scenario("uas-conf-busy").transport(SippTransport.UDP)
                        .timeout(Duration.ofMinutes(3)).start();
                servers.add(s);
                list.append("1 sip:127.0.0.1:").append(s.localPort()).append(" 0 0 name=busy-").append(i)
                        .append('\n');
            }
            Path listFile = dir.resolve("dispatcher.list");
            Files.writeString(listFile, list.toString());
            List<String> viaFastPath;
            try (EdgeProcess edge = node(listFile, dir.resolve("udp"))) {
                int status = callOverUdp(edge.sipPort());
                assertEquals(503, status, "the caller gets the last server's 503 (UDP):\n" + edge.output());
                viaFastPath = order(edge, "UDP");
                edge.stop();
                // attributes in any order (JMX lists them as reflection does)
                assertTrue(edge.output().matches("(?s).*FastPath\\{(?=[^}]*InitialInvites=1[,}])"
                                + "(?=[^}]*RequestsForwarded=3[,}]).*"),
                        "the UDP call took the fast path, which sent it to three servers:\n" + edge.output());
            }
            List<String> viaContainer;
            try (EdgeProcess edge = node(listFile, dir.resolve("tcp"))) {
                int status = callOverTcp(edge.sipPort());
                assertEquals(503, status, "the caller gets the last server's 503 (TCP):\n" + edge.output());
                viaContainer = order(edge, "TCP");
            }
            System.out.println("ConferenceFailoverIT: fast path " + viaFastPath + ", container path " + viaContainer);
            assertEquals(3, viaFastPath.size(), "every server tried: " + viaFastPath);
            assertEquals(3, new HashSet<>(viaFastPath).size(), "each once: " + viaFastPath);
            assertEquals(viaFastPath, viaContainer, "the same failover order on both paths");
        } finally {
            for (SippProcess s : servers) {
                s.close();
            }
        }
    }

    /**
     * Three servers that are up (they answer OPTIONS) but never answer an INVITE: each path waits
     * {@code proxy.dispatch-timeout} (2 s) per server, fails over to the next, each once, in the same order, and the
     * caller gets 408 after the last.
     */
    @Test
    void silentServersAreFailedOverFromInTheSameOrderOnBothPaths(@TempDir Path dir) throws Exception {
        List<SilentServer> servers = new ArrayList<>();
        try {
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                SilentServer s = new SilentServer();
                servers.add(s);
                list.append("1 sip:127.0.0.1:").append(s.port()).append(" 0 0 name=silent-").append(i).append('\n');
            }
            Path listFile = dir.resolve("dispatcher.list");
            Files.writeString(listFile, list.toString());
            List<String> viaFastPath;
            try (EdgeProcess edge = node(listFile, dir.resolve("udp"), "2")) {
                int status = callOverUdp(edge.sipPort());
                assertEquals(408, status, "the caller gets 408 after the last silent server (UDP):\n"
                        + edge.output());
                viaFastPath = order(edge, "UDP", SILENT);
            }
            List<String> viaContainer;
            try (EdgeProcess edge = node(listFile, dir.resolve("tcp"), "2")) {
                int status = callOverTcp(edge.sipPort());
                assertEquals(408, status, "the caller gets 408 after the last silent server (TCP):\n"
                        + edge.output());
                viaContainer = order(edge, "TCP", SILENT);
            }
            System.out.println("ConferenceFailoverIT silent: fast path " + viaFastPath + ", container path "
                    + viaContainer);
            assertEquals(3, viaFastPath.size(), "every server tried: " + viaFastPath);
            assertEquals(3, new HashSet<>(viaFastPath).size(), "each once: " + viaFastPath);
            assertEquals(viaFastPath, viaContainer, "the same failover order on both paths");
            for (SilentServer s : servers) {
                assertEquals(2, s.invites(), "each server got one INVITE from each path");
            }
        } finally {
            for (SilentServer s : servers) {
                s.close();
            }
        }
    }

    private static final Pattern SILENT = Pattern.compile(
            "conference 77: (\\S+) (?:did not answer in time|answered 408)(?: -> next (\\S+)|, no other server left)");

    /** A conference server that is up (answers OPTIONS 200) and never answers an INVITE. */
    private static final class SilentServer implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final java.util.Set<String> invites = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final Thread thread;

        SilentServer() throws IOException {
            thread = new Thread(this::serve, "silent-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        /** INVITE transactions received (retransmissions counted once). */
        int invites() {
            return invites.size();
        }

        private void serve() {
            byte[] buf = new byte[65535];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                String m = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                if (m.startsWith("INVITE ")) {
                    Matcher b = Pattern.compile("(?i)branch=([^;\\s]+)").matcher(m);
                    invites.add(b.find() ? b.group(1) : m);
                } else if (m.startsWith("OPTIONS ")) {
                    StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
                    for (String line : m.split("\r\n")) {
                        String l = line.toLowerCase(java.util.Locale.ROOT);
                        if (l.startsWith("via:") || l.startsWith("from:") || l.startsWith("call-id:")
                                || l.startsWith("cseq:")) {
                            ok.append(line).append("\r\n");
                        } else if (l.startsWith("to:")) {
                            ok.append(line).append(";tag=silent\r\n");
                        }
                    }
                    ok.append("Content-Length: 0\r\n\r\n");
                    byte[] out = ok.toString().getBytes(StandardCharsets.UTF_8);
                    try {
                        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2_000);
        }
    }

    private static EdgeProcess node(Path listFile, Path work) throws Exception {
        return node(listFile, work, "10");
    }

    private static EdgeProcess node(Path listFile, Path work, String dispatchTimeout) throws Exception {
        return EdgeProcess.builder().workDir(Files.createDirectories(work))
                .set("dispatcher.list-file", listFile.toString())
                .set("dispatcher.probe-interval", "1").set("dispatcher.probe-timeout", "500")
                // the order by the conference (the Request-URI user), the same on both nodes; each path's call
                // has its own Call-ID (sipp ignores a Call-ID it has just ended)
                .set("dispatcher.algorithm", "hash-ruri-user")
                .set("rtpengine.engines", "off")
                .set("proxy.dispatch-timeout", dispatchTimeout)
                .start();
    }

    /** The servers the node tried for conference 77, in order, from its route log lines. */
    private static List<String> order(EdgeProcess edge, String transport) throws InterruptedException {
        return order(edge, transport, STEP);
    }

    private static List<String> order(EdgeProcess edge, String transport, Pattern step) throws InterruptedException {
        edge.awaitOutput(o -> o.contains("conference 77:") && o.contains("no other server left"),
                Duration.ofSeconds(10));
        List<String> tried = new ArrayList<>();
        Matcher m = step.matcher(edge.output());
        while (m.find()) {
            if (tried.isEmpty()) {
                tried.add(m.group(1));
            }
            if (m.group(2) != null) {
                tried.add(m.group(2));
            }
        }
        assertTrue(!tried.isEmpty(), "no failover logged over " + transport + ":\n" + edge.output());
        return tried;
    }

    private static String invite(String transport, int port, int localPort) {
        return "INVITE sip:conf-77@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK-fo-" + transport
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=fo1\r\n"
                + "To: <sip:conf-77@127.0.0.1>\r\n"
                + "Call-ID: failover-order-" + transport + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + localPort + ";transport=" + transport.toLowerCase() + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** The ACK for a non-2xx final response (RFC 3261 17.1.1.3): same branch, the response's To. */
    private static String ack(String transport, int port, int localPort, String response) {
        Matcher to = Pattern.compile("(?mi)^(?:To|t)[ \\t]*:(.*)$").matcher(response);
        String toValue = to.find() ? to.group(1).trim() : "<sip:conf-77@127.0.0.1>";
        return "ACK sip:conf-77@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + localPort + ";branch=z9hG4bK-fo-" + transport
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=fo1\r\n"
                + "To: " + toValue + "\r\n"
                + "Call-ID: failover-order-" + transport + "\r\n"
                + "CSeq: 1 ACK\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static int callOverUdp(int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] out = invite("UDP", port, s.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            byte[] buf = new byte[8192];
            while (System.nanoTime() < end) {
                s.setSoTimeout(500);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                String r = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                int status = Integer.parseInt(r.substring(8, 11));
                if (status >= 200) {
                    byte[] a = ack("UDP", port, s.getLocalPort(), r).getBytes(StandardCharsets.US_ASCII);
                    s.send(new DatagramPacket(a, a.length, InetAddress.getLoopbackAddress(), port));
                    return status;
                }
            }
            return 0;
        }
    }

    private static int callOverTcp(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
            s.getOutputStream().write(invite("TCP", port, s.getLocalPort()).getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(30_000);
            InputStream in = s.getInputStream();
            StringBuilder pending = new StringBuilder();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                int end;
                while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
                    String r = pending.substring(0, end + 4); // no body in these answers
                    pending.delete(0, end + 4);
                    int status = Integer.parseInt(r.substring(8, 11));
                    if (status >= 200) {
                        s.getOutputStream().write(ack("TCP", port, s.getLocalPort(), r)
                                .getBytes(StandardCharsets.US_ASCII));
                        return status;
                    }
                }
            }
            return 0;
        }
    }
}
