package org.sipedge.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sipedge.config.Param;
import org.sipedge.registrar.RegistrarParam;
import org.sipedge.store.StoreParam;

/**
 * One enum per module holds every key; the WAR's sip.xml carries exactly those keys with the same defaults, and
 * each module README's parameter table lists each key with that default. This test fails when they drift apart.
 */
class ConfigDriftTest {
    private static final Path ROOT = Path.of(System.getProperty("sipedge.root", "../.."));

    @Test
    void sipXmlListsEveryKeyWithItsDefaultAndNothingElse() {
        Map<String, String> descriptor = WarDescriptor.contextParams(
                ROOT.resolve("deploy/war/src/main/webapp/WEB-INF/sip.xml"));
        Map<String, String> expected = new LinkedHashMap<>();
        for (Param p : Main.allParams()) {
            expected.put(p.key(), p.defaultValue());
        }
        assertEquals(expected, new LinkedHashMap<>(descriptor).entrySet().stream()
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
    }

    @Test
    void everyModuleReadmeTablesItsKeysWithDefaults() throws Exception {
        check("registrar/README.md", List.of(RegistrarParam.values()));
        check("cluster-store/README.md", List.of(StoreParam.values()));
        check("deploy/README.md", List.of(ContainerParam.values()));
        check("proxy-servlets/README.md", List.of(org.sipedge.proxy.ProxyParam.values()));
        check("rtpengine-control/README.md", List.of(org.sipedge.rtpengine.RtpengineParam.values()));
        check("dispatcher/README.md", List.of(org.sipedge.dispatcher.DispatcherParam.values()));
        check("conference-affinity/README.md", List.of(org.sipedge.conference.ConferenceParam.values()));
        check("media-relay/README.md", List.of(org.sipedge.relay.RelayParam.values()));
        check("ops/README.md", List.of(org.sipedge.ops.OpsParam.values()));
    }

    private static void check(String readme, List<? extends Param> params) throws Exception {
        String text = Files.readString(ROOT.resolve(readme));
        for (Param p : params) {
            String row = "| `" + p.key() + "` | " + (p.defaultValue().isEmpty() ? "(empty)" : "`" + p.defaultValue() + "`")
                    + " |";
            assertTrue(text.contains(row), readme + " has the row starting " + row);
        }
        long rows = Stream.of(text.split("\n")).filter(l -> l.matches("\\| `[a-z.-]+` \\|.*")).count();
        assertEquals(params.size(), rows, readme + " tables exactly the module's keys");
    }
}
