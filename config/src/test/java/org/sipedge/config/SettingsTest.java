package org.sipedge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    enum P implements Param {
        MIN("demo.min-expires", "60", new ValueType.Int(1, 3600)),
        AUTH("demo.auth", "none", ValueType.OneOf.of("none", "digest")),
        BIND("net.bind-address", "127.0.0.1", new ValueType.IpAddress());

        final String key;
        final String def;
        final ValueType type;

        P(String key, String def, ValueType type) {
            this.key = key;
            this.def = def;
            this.type = type;
        }

        @Override public String key() { return key; }
        @Override public String defaultValue() { return def; }
        @Override public String description() { return "test key"; }
        @Override public ValueType type() { return type; }
    }

    private static Settings load(Map<String, String> descriptor, Properties system) {
        return Settings.load(List.of(P.values()), "sip.xml", descriptor::get, descriptor.keySet(), system);
    }

    @Test
    void laterLayersWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("edge.properties");
        Files.writeString(file, "demo.min-expires=120\ndemo.auth=digest\n");
        Properties sys = new Properties();
        sys.setProperty(Settings.CONFIG_FILE_PROPERTY, file.toString());
        sys.setProperty("demo.auth", "none");
        Settings s = load(Map.of("demo.min-expires", "90", "net.bind-address", "127.0.0.2"), sys);
        assertEquals(120, s.getInt(P.MIN));
        assertEquals("none", s.get(P.AUTH));
        assertEquals("127.0.0.2", s.get(P.BIND));
        assertEquals("-Ddemo.auth", s.sourceOf(P.AUTH));
        assertTrue(s.sourceOf(P.MIN).contains(file.toString()));
    }

    @Test
    void unknownKeyInFileNamesKeyAndFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("edge.properties");
        Files.writeString(file, "demo.min-expire=120\n");
        Properties sys = new Properties();
        sys.setProperty(Settings.CONFIG_FILE_PROPERTY, file.toString());
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), sys));
        assertEquals("demo.min-expire", e.key());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("demo.min-expires"), "suggests the known keys: " + e.getMessage());
    }

    @Test
    void badValueNamesKeyAndSource() {
        Properties sys = new Properties();
        sys.setProperty("demo.min-expires", "soon");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), sys));
        assertEquals("demo.min-expires", e.key());
        assertTrue(e.getMessage().contains("-Ddemo.min-expires"));
        assertTrue(e.getMessage().contains("not an integer"));
    }

    @Test
    void unknownKeyOfOurNamespaceInDescriptorIsRefusedOthersIgnored() {
        assertThrows(ConfigException.class, () -> load(Map.of("demo.typo", "1"), new Properties()));
        load(Map.of("someone.elses", "1"), new Properties()); // not ours: ignored
    }

    @Test
    void hostNamesAreNotAddresses() {
        Properties sys = new Properties();
        sys.setProperty("net.bind-address", "example.com");
        assertThrows(ConfigException.class, () -> load(Map.of(), sys));
        sys.setProperty("net.bind-address", "300.1.1.1");
        assertThrows(ConfigException.class, () -> load(Map.of(), sys));
    }

    @Test
    void missingFileIsAClearError() {
        Properties sys = new Properties();
        sys.setProperty(Settings.CONFIG_FILE_PROPERTY, "/nonexistent/edge.properties");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), sys));
        assertTrue(e.getMessage().contains("cannot read"));
    }

    @Test
    void aRenamedKeyIsRefusedWithItsNewNameAndTheJdksHttpKeysAreLeftAlone(@TempDir Path dir) throws Exception {
        Properties sys = new Properties();
        sys.setProperty("http.port", "8088");
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), sys));
        assertTrue(e.getMessage().contains("http.port") && e.getMessage().contains("web.port"), e.getMessage());
        ConfigException inXml = assertThrows(ConfigException.class, () -> load(Map.of("http.port", "1"),
                new Properties()));
        assertTrue(inXml.getMessage().contains("sip.xml"), inXml.getMessage());
        Properties jdk = new Properties();
        jdk.setProperty("http.proxyHost", "127.0.0.1");
        jdk.setProperty("http.agent", "x");
        assertEquals("60", load(Map.of(), jdk).get(P.MIN), "a JVM with -Dhttp.proxyHost starts");
    }
}
