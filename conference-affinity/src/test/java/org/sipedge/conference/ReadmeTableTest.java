package org.sipedge.conference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sipedge.config.Param;

/** The README's parameter table lists exactly {@link ConferenceParam}, with the defaults and meanings. */
class ReadmeTableTest {
    @Test
    void readmeTablesEveryKey() throws Exception {
        String text = Files.readString(Path.of("README.md"));
        for (Param p : ConferenceParam.values()) {
            String row = "| `" + p.key() + "` | " + (p.defaultValue().isEmpty() ? "(empty)" : "`" + p.defaultValue() + "`")
                    + " | " + p.description() + " |";
            assertTrue(text.contains(row), "README.md has the row " + row);
        }
        long rows = Stream.of(text.split("\n")).filter(l -> l.matches("\\| `[a-z.-]+` \\|.*")).count();
        assertEquals(ConferenceParam.values().length, rows, "README.md tables exactly the module's keys");
    }
}
