package org.sipedge.proxy.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Datagrams lost to overload on this machine so far: the SIP stack's own receive-queue drops plus the kernel's UDP
 * receive-buffer errors ({@code RcvbufErrors} in {@code /proc/net/snmp}, all sockets of the host: an overloaded
 * box is overloaded for every socket on it). Read at most every 200 ms; 0 for the kernel part where the file does
 * not exist.
 */
final class DropCounter implements LongSupplier {
    private static final Path SNMP = Path.of("/proc/net/snmp");
    private static final long REFRESH_NANOS = 200_000_000L;

    private final LongSupplier stackDrops;
    private volatile long kernel;
    private volatile long readAt;
    private volatile boolean kernelReadable = Files.isReadable(SNMP);

    DropCounter(LongSupplier stackDrops) {
        this.stackDrops = stackDrops;
        this.readAt = System.nanoTime() - REFRESH_NANOS;
    }

    @Override
    public long getAsLong() {
        long now = System.nanoTime();
        if (kernelReadable && now - readAt >= REFRESH_NANOS) {
            readAt = now;
            try {
                kernel = rcvbufErrors(Files.readString(SNMP, StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                kernelReadable = false;
            }
        }
        return stackDrops.getAsLong() + kernel;
    }

    /** The {@code RcvbufErrors} column of the {@code Udp:} lines (header line, then values). */
    static long rcvbufErrors(String snmp) {
        String[] header = null;
        for (String line : snmp.split("\n")) {
            if (!line.startsWith("Udp: ")) {
                continue;
            }
            String[] cols = line.trim().split("\\s+");
            if (header == null) {
                header = cols;
                continue;
            }
            for (int i = 1; i < header.length && i < cols.length; i++) {
                if (header[i].equals("RcvbufErrors")) {
                    return Long.parseLong(cols[i]);
                }
            }
            return 0;
        }
        return 0;
    }
}
