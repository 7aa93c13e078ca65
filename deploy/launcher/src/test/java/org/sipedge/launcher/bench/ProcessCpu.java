package org.sipedge.launcher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time from {@code /proc}: of one process (user + system, all its threads, {@code /proc/PID/stat} fields 14 and
 * 15) and of the whole machine (every non-idle column of the {@code cpu} line of {@code /proc/stat}). Both in
 * nanoseconds at the kernel's USER_HZ resolution (10 ms). Linux only; -1 where unreadable.
 *
 * <p>Softirq work (a loopback {@code sendmsg} delivering into the receiver's socket) is charged to whichever task
 * runs it, usually the sender; packets the kernel defers to {@code ksoftirqd} are only in the machine's total.
 */
final class ProcessCpu {
    /** USER_HZ: 100 on every Linux architecture the project builds for. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {
    }

    /** utime + stime of {@code pid} so far, or -1 when the process is gone. */
    static long nanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name (field 2) may contain spaces and parentheses: count fields after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // f[0] is field 3 (state): utime is field 14, stime field 15
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * utime + stime of {@code pid} and of its descendants alive now (a forking server such as Kamailio works in
     * child processes; a JVM's threads are all in its own count), or -1 when {@code pid} is gone.
     */
    static long treeNanos(long pid) {
        long own = nanos(pid);
        if (own < 0) {
            return -1;
        }
        long sum = own;
        List<ProcessHandle> children = ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
        for (ProcessHandle child : children) {
            long n = nanos(child.pid());
            if (n > 0) {
                sum += n;
            }
        }
        return sum;
    }

    /**
     * Busy time of all CPUs together so far (wall time × CPUs − idle − iowait), or -1. Idle time is the precise one
     * here: with a tickless idle kernel the user/system columns are only sampled at the timer tick and miss short
     * bursts (seen: 19 % busy there while two processes used 106 % by their own precise counters).
     */
    static long machineBusyNanos() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                    long uptimeNanos = (long) (Double.parseDouble(
                            Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]) * 1e9);
                    return uptimeNanos * Runtime.getRuntime().availableProcessors() - idle * NANOS_PER_TICK;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** A CPU reading of one process and of the machine, taken together. */
    record Sample(long processNanos, long selfNanos, long machineNanos, long wallNanos) {
        static Sample take(long pid) {
            return new Sample(nanos(pid), nanos(ProcessHandle.current().pid()), machineBusyNanos(), System.nanoTime());
        }

        /** Share of one core the process used between {@code earlier} and this sample, in percent. */
        double processPercent(Sample earlier) {
            return percent(processNanos, earlier.processNanos, earlier);
        }

        double selfPercent(Sample earlier) {
            return percent(selfNanos, earlier.selfNanos, earlier);
        }

        double machinePercent(Sample earlier) {
            return percent(machineNanos, earlier.machineNanos, earlier);
        }

        long processNanosSince(Sample earlier) {
            return processNanos < 0 || earlier.processNanos < 0 ? -1 : processNanos - earlier.processNanos;
        }

        private double percent(long now, long then, Sample earlier) {
            long wall = wallNanos - earlier.wallNanos;
            return now < 0 || then < 0 || wall <= 0 ? Double.NaN : 100.0 * (now - then) / wall;
        }
    }
}
