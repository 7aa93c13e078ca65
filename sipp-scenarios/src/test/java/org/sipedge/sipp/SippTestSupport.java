package org.sipedge.sipp;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Shared bits of the tests: test resources and sipp UAS test doubles. */
final class SippTestSupport {

    /** Injection lines for the CSV scenarios: user;domain;expires;password. */
    static final List<String> USERS = List.of(
            "alice;example.com;120;secret",
            "bob;example.com;;secret");

    /** The MD5 and SHA-256 challenges the auth test double offers (nonces tell which one was answered). */
    static final String MD5_CHALLENGE = "Digest realm=\"sipedge.test\", nonce=\"md5nonce\", qop=\"auth\", algorithm=MD5";
    static final String SHA256_CHALLENGE =
            "Digest realm=\"sipedge.test\", nonce=\"sha256nonce\", qop=\"auth\", algorithm=SHA-256";

    static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    /** Run directories of the tests go below the module's target/ (not the system temp dir), so mvn clean removes them. */
    static final Path RUNS = Path.of("target", "sipp-runs").toAbsolutePath();

    private SippTestSupport() {
    }

    /** A test resource under org/sipedge/sipp/, as a file. */
    static Path resource(String relative) {
        URL url = SippTestSupport.class.getResource(relative);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sipp server running a UAS test double from src/test/resources/org/sipedge/sipp/uas/. */
    static Sipp.Builder uas(String file, SippTransport transport, int calls) {
        return Sipp.scenarioFile(resource("uas/" + file))
                .transport(transport)
                .calls(calls)
                .timeout(RUN_TIMEOUT)
                .workDirIn(RUNS);
    }

    /** A client run of a bundled scenario against a server started by the harness. */
    static Sipp.Builder client(String scenario, SippProcess server, SippTransport transport) {
        return Sipp.scenario(scenario)
                .remote(Sipp.LOOPBACK, server.localPort())
                .transport(transport)
                .timeout(RUN_TIMEOUT)
                .workDirIn(RUNS);
    }
}
