package org.sipedge.dispatcher.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListFileTest {
    @Test
    void readsTheDocumentedExample() throws Exception {
        Path file = Path.of(getClass().getResource("/dispatcher.list").toURI());
        List<DestinationSet> sets = ListFile.read(file);
        assertEquals(2, sets.size());
        DestinationSet one = sets.get(0);
        assertEquals(1, one.id());
        assertEquals(new Destination(1, "sip:127.0.0.1:5070", 1, 10, 0, Map.of("weight", "1", "name", "conf-a")),
                one.destinations().get(0));
        assertEquals("sip:127.0.0.1:5071;transport=tcp", one.destinations().get(1).uri());
        assertEquals(2, one.destinations().get(1).weight());
        DestinationSet two = sets.get(1);
        assertEquals(List.of(10, 0), two.destinations().stream().map(Destination::priority).toList());
        assertEquals(1, two.destinations().get(1).weight(), "weight defaults to 1");
    }

    private static ListFileException bad(String text) {
        return assertThrows(ListFileException.class, () -> ListFile.parse(text, "edge.list"));
    }

    @Test
    void problemsNameTheFileAndTheLine() {
        ListFileException e = bad("# header\n1 sip:a.example\nx sip:b.example\n");
        assertEquals(3, e.line());
        assertEquals("edge.list", e.file());
        assertTrue(e.getMessage().startsWith("edge.list line 3: 'x' is not a set id"), e.getMessage());

        assertEquals(1, bad("1 http://a.example\n").line());
        assertEquals(2, bad("1 sip:a\n1 sip:a\n").line());
        assertEquals(1, bad("1 sip:a 0 10 weight=0\n").line());
        assertEquals(1, bad("1 sip:a 0 10 weight=many\n").line());
        assertEquals(1, bad("1 sip:a 0 10 weight\n").line());
        assertEquals(1, bad("1 sip:a 0 10 a=1;a=2\n").line());
        assertEquals(1, bad("1 sip:a 0 ten\n").line());
        assertEquals(1, bad("0 sip:a\n").line());
        assertEquals(1, bad("1\n").line());
        assertEquals(1, bad("1 sip:a 0 1 w=1 extra\n").line());
        assertTrue(bad("# nothing\n\n").getMessage().contains("no destination"));
    }

    @Test
    void aMissingFileIsNamed() {
        ListFileException e = assertThrows(ListFileException.class,
                () -> ListFile.read(Path.of("target/no-such.list")));
        assertTrue(e.getMessage().startsWith("target/no-such.list: cannot read"), e.getMessage());
    }

    @Test
    void sameUriInTwoSetsIsFine() throws Exception {
        assertEquals(2, ListFile.parse("1 sip:a\n2 sip:a\n", "x").size());
    }
}
