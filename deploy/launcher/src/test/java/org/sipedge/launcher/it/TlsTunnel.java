package org.sipedge.launcher.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A TLS client in front of a plain TCP port: {@code socat} accepts TCP on a free loopback port and speaks TLS to
 * SIP Edge's TLS listener. Debian's sipp is built without TLS, so sipp runs over TCP into this tunnel and the
 * registrar sees a real TLS connection (TLS 1.2/1.3 negotiated by OpenSSL).
 */
final class TlsTunnel implements AutoCloseable {
    private final Process process;
    private final int port;

    TlsTunnel(int tlsPort) throws IOException, InterruptedException {
        if (!onPath("socat")) {
            throw new IllegalStateException("socat missing: apt-get install -y socat (./sipedge test installs it)");
        }
        port = EdgeProcess.freeTcpPort();
        process = new ProcessBuilder("socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                "OPENSSL:127.0.0.1:" + tlsPort + ",verify=0").redirectErrorStream(true).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("socat exited: " + new String(process.getInputStream().readAllBytes()));
                }
                process.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        close();
        throw new IllegalStateException("socat did not listen on " + port);
    }

    int port() {
        return port;
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (new java.io.File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
