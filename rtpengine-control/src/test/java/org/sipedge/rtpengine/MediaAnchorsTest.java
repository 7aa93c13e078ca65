package org.sipedge.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Settings;
import org.sipedge.rtpengine.client.FakeNgServer;
import org.sipedge.store.MemoryStore;

class MediaAnchorsTest {

    private static Settings settings(String... keyValues) {
        Properties system = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            system.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return Settings.load(List.of(RtpengineParam.values()), "test", n -> null, Set.of(), system);
    }

    @Test
    void offMeansADisabledAnchorThatPassesSdpThrough() {
        try (MemoryStore store = new MemoryStore();
             ManagedMediaAnchor a = MediaAnchors.open(settings("rtpengine.engines", "off"), store)) {
            assertFalse(a.enabled());
            MediaLeg leg = new MediaLeg("c", "a", null, null, UaKind.PLAIN, UaKind.PLAIN, null);
            assertEquals(new SdpRewrite.NotAnchored(), a.offer(leg, "v=0\r\n"));
            assertEquals(new SdpRewrite.NotAnchored(), a.answer(leg, "v=0\r\n"));
            a.deleteCall("c");
            assertTrue(a.describe().contains("off"), a.describe());
        }
    }

    @Test
    void configuredEnginesGiveAnNgAnchor() throws Exception {
        try (FakeNgServer engine = new FakeNgServer(FakeNgServer::rtpengineLike); MemoryStore store = new MemoryStore();
             ManagedMediaAnchor a = MediaAnchors.open(settings("rtpengine.engines", engine.spec(2)), store)) {
            assertTrue(a.enabled());
            assertTrue(a.describe().contains("udp:127.0.0.1:" + engine.port() + "=2"), a.describe());
            SdpRewrite r = a.offer(new MediaLeg("c", "a", null, null, UaKind.PLAIN, UaKind.PLAIN, "127.0.0.2"),
                    Fixtures.sdp("plain-offer"));
            assertTrue(r instanceof SdpRewrite.Anchored, r.toString());
            assertEquals(1, a.metrics().offers());
            assertTrue(FakeNgServer.await(() -> !engine.received("ping").isEmpty(), 5000), "pings start at once");
        }
    }

    @Test
    void badEngineListsAndFlagStringsStopStartUpNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> MediaAnchors.validate(settings("rtpengine.engines", "udp:rtpengine.local:22222")));
        assertEquals("rtpengine.engines", e.key());
        ConfigException f = assertThrows(ConfigException.class,
                () -> MediaAnchors.validate(settings("rtpengine.flags.plain-plain.answer", "RTP/AVP bogus")));
        assertEquals("rtpengine.flags.plain-plain.answer", f.key());
        assertTrue(f.getMessage().contains("'bogus'"), f.getMessage());
        MediaAnchors.validate(settings()); // defaults are valid
    }

    /** The README's parameter table lists exactly the enum's keys with their defaults (the drift test's format). */
    @Test
    void readmeTablesEveryKeyWithItsDefault() throws Exception {
        String text = Files.readString(Path.of("README.md"));
        for (RtpengineParam p : RtpengineParam.values()) {
            String row = "| `" + p.key() + "` | " + (p.defaultValue().isEmpty() ? "(empty)" : "`" + p.defaultValue() + "`")
                    + " |";
            assertTrue(text.contains(row), "README.md has the row starting " + row);
        }
        long rows = Stream.of(text.split("\n")).filter(l -> l.matches("\\| `[a-z.-]+` \\|.*")).count();
        assertEquals(RtpengineParam.values().length, rows, "README.md tables exactly the module's keys");
    }
}
