package org.sipedge.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sipedge.config.Param;

/** The README's parameter table lists exactly {@link DispatcherParam}, with the defaults and meanings. */
class ReadmeTableTest {
    @Test
    void readmeTablesEveryKey() throws Exception {
        String text = Files.readString(Path.of("README.md"));
        for (Param p : DispatcherParam.values()) {
            String row = "| `" + p.key() + "` | " + (p.defaultValue().isEmpty() ? "(empty)" : "`" + p.defaultValue() + "`")
                    + " | " + p.description() + " |";
            assertTrue(text.contains(row), "README.md has the row " + row);
        }
        long rows = Stream.of(text.split("\n")).filter(l -> l.matches("\\| `[a-z.-]+` \\|.*")).count();
        assertEquals(DispatcherParam.values().length, rows, "README.md tables exactly the module's keys");
    }

    @Test
    void theReadmeExampleListParses() throws Exception {
        String text = Files.readString(Path.of("README.md"));
        int start = text.indexOf("```\n# setid");
        int end = text.indexOf("```", start + 3);
        assertTrue(start >= 0 && end > start, "README has the list file example");
        assertEquals(2, org.sipedge.dispatcher.core.ListFile.parse(text.substring(start + 4, end), "README").size());
    }
}
