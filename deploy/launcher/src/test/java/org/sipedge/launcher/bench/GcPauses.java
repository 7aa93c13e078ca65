package org.sipedge.launcher.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The pauses a node logged with {@code -Xlog:gc} (ParallelGC, G1, ZGC lines) from a point in its log on. */
final class GcPauses {
    /** "... Pause Young (Allocation Failure) 300M->20M(512M) 3.456ms" and ZGC's "Pause Mark Start 0.012ms". */
    private static final Pattern PAUSE = Pattern.compile("Pause[^\\n]*?([0-9.]+)ms\\s*$");

    private GcPauses() {
    }

    static String summary(Path log, long from) throws IOException {
        List<Double> ms = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            f.seek(from);
            byte[] rest = new byte[(int) (f.length() - from)];
            f.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    ms.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        double max = ms.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double total = ms.stream().mapToDouble(Double::doubleValue).sum();
        return String.format(Locale.ROOT, "%d pauses, max %.3f ms, total %.1f ms", ms.size(), max, total);
    }
}
