package org.sipedge.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * A loopback phone's media sockets: RTP on an even port, RTCP on the port above, both on one address (use distinct
 * loopback addresses such as 127.0.0.2 and 127.0.0.3 so address rewriting is visible), plus what it received.
 */
public final class MediaPhone implements AutoCloseable {
    /** A datagram as it arrived: its bytes and where it came from. */
    public record Received(byte[] data, InetSocketAddress from) {
    }

    private final DatagramSocket rtp;
    private final DatagramSocket rtcp;

    public MediaPhone(String address) {
        DatagramSocket[] pair = bindPair(address);
        this.rtp = pair[0];
        this.rtcp = pair[1];
    }

    private static DatagramSocket[] bindPair(String address) {
        InetAddress a;
        try {
            a = InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            DatagramSocket first = null;
            try {
                first = new DatagramSocket(new InetSocketAddress(a, 0));
                int port = first.getLocalPort();
                if (port % 2 != 0 || port >= 65535) {
                    first.close();
                    continue;
                }
                return new DatagramSocket[] {first, new DatagramSocket(new InetSocketAddress(a, port + 1))};
            } catch (SocketException e) {
                if (first != null) {
                    first.close();
                }
            }
        }
        throw new IllegalStateException("no free even/odd port pair on " + address);
    }

    public String address() {
        return rtp.getLocalAddress().getHostAddress();
    }

    public int rtpPort() {
        return rtp.getLocalPort();
    }

    public int rtcpPort() {
        return rtcp.getLocalPort();
    }

    /** A plain RTP/AVP SDP for this phone (PCMU, PCMA, telephone-event), as the reference's phones send. */
    public String sdp(String user, String... extraMediaLines) {
        StringBuilder s = new StringBuilder("v=0\r\no=").append(user).append(" 1 1 IN IP4 ").append(address())
                .append("\r\ns=-\r\nc=IN IP4 ").append(address()).append("\r\nt=0 0\r\nm=audio ").append(rtpPort())
                .append(" RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n")
                .append("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n");
        for (String line : extraMediaLines) {
            s.append(line).append("\r\n");
        }
        return s.append("a=sendrecv\r\n").toString();
    }

    public void sendRtp(byte[] data, InetSocketAddress to) {
        send(rtp, data, to);
    }

    public void sendRtcp(byte[] data, InetSocketAddress to) {
        send(rtcp, data, to);
    }

    /** Sends from another socket of this phone's address (a NAT mapping that changed): returns its port. */
    public static void send(DatagramSocket from, byte[] data, InetSocketAddress to) {
        try {
            from.send(new DatagramPacket(data, data.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Received receiveRtp(Duration wait) {
        return receive(rtp, wait);
    }

    public Received receiveRtcp(Duration wait) {
        return receive(rtcp, wait);
    }

    /** The next datagram on {@code socket}, or null when none arrived within {@code wait}. */
    public static Received receive(DatagramSocket socket, Duration wait) {
        try {
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            socket.receive(p);
            return new Received(Arrays.copyOf(buf, p.getLength()), (InetSocketAddress) p.getSocketAddress());
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads and forgets whatever is queued. */
    public void drain() {
        while (receive(rtp, Duration.ofMillis(1)) != null) {
            // discard
        }
        while (receive(rtcp, Duration.ofMillis(1)) != null) {
            // discard
        }
    }

    /** An RTP packet: version 2, {@code pt}, sequence number, timestamp and SSRC, then {@code payload} bytes. */
    public static byte[] rtp(int pt, int seq, long ssrc, int payload) {
        byte[] b = new byte[12 + payload];
        b[0] = (byte) 0x80;
        b[1] = (byte) (pt & 0x7F);
        b[2] = (byte) (seq >> 8);
        b[3] = (byte) seq;
        long ts = seq * 160L;
        for (int i = 0; i < 4; i++) {
            b[4 + i] = (byte) (ts >> (24 - 8 * i));
            b[8 + i] = (byte) (ssrc >> (24 - 8 * i));
        }
        for (int i = 12; i < b.length; i++) {
            b[i] = (byte) (i * 7 + seq);
        }
        return b;
    }

    /** A minimal RTCP receiver report (PT 201) of {@code ssrc}. */
    public static byte[] rtcp(long ssrc) {
        byte[] b = {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 0};
        for (int i = 0; i < 4; i++) {
            b[4 + i] = (byte) (ssrc >> (24 - 8 * i));
        }
        return b;
    }

    @Override
    public void close() {
        rtp.close();
        rtcp.close();
    }
}
