package org.sipedge.rtpengine.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.sipedge.ng.NgMessage;

/**
 * A unit-level stand-in for rtpengine on 127.0.0.1: records every datagram and answers through a handler (null =
 * stay silent). Only for unit tests of the client logic; the ITs use the real daemon.
 */
public final class FakeNgServer implements AutoCloseable {
    /** A received datagram. */
    public record Received(byte[] bytes, NgMessage message) {
        public String command() {
            return (String) message.dictionary().get("command");
        }
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Map<String, Object>, Map<String, Object>> handler;

    public FakeNgServer(Function<Map<String, Object>, Map<String, Object>> handler) throws SocketException {
        this.handler = handler;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.thread = new Thread(this::serve, "fake-ng-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** Answers ping with pong, offer/answer with a fixed SDP, everything else with ok. */
    public static Map<String, Object> rtpengineLike(Map<String, Object> request) {
        return switch ((String) request.get("command")) {
            case "ping" -> Map.of("result", "pong");
            case "offer", "answer" -> Map.of("sdp", "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 30000 RTP/AVP 0\r\n", "result", "ok");
            default -> Map.of("result", "ok");
        };
    }

    public void setHandler(Function<Map<String, Object>, Map<String, Object>> handler) {
        this.handler = handler;
    }

    public int port() {
        return socket.getLocalPort();
    }

    public String spec(int weight) {
        return "udp:127.0.0.1:" + port() + "=" + weight;
    }

    public List<Received> received() {
        return received;
    }

    public List<Received> received(String command) {
        return received.stream().filter(r -> command.equals(r.command())).toList();
    }

    /** Polls {@code condition} until true or {@code millis} passed. */
    public static boolean await(BooleanSupplier condition, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000); // poll interval; the condition decides
        }
        return condition.getAsBoolean();
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
            byte[] bytes = java.util.Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
            NgMessage m = NgMessage.decode(bytes);
            received.add(new Received(bytes, m));
            Map<String, Object> reply = handler.apply(m.dictionary());
            if (reply != null) {
                byte[] out = new NgMessage(m.cookie(), reply).encode();
                try {
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
