package org.sipedge.launcher.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Digest auth across a two-node cluster (Hazelcast), as behind a load balancer: a REGISTER challenged by node A is
 * answered on node B and accepted (the nonce secret of the period is in the cluster store); the very same
 * credentials sent again to A are a replay and get a fresh challenge (the nonce-counts are in the store too); the
 * next nonce-count is accepted on A. A MESSAGE challenged (407) by B is answered on A and delivered.
 */
class ClusterAuthIT {
    @Test
    void aChallengeFromOneNodeIsAnsweredOnTheOtherAndNeverReplayed(@TempDir Path dir) throws Exception {
        Path users = Files.writeString(dir.resolve("users.txt"), "erin sipedge password:erin-secret\n"
                + "fred sipedge password:fred-secret\n");
        int portA = EdgeProcess.freeTcpPort();
        int portB = EdgeProcess.freeTcpPort();
        try (EdgeProcess a = node(portA, portB, dir.resolve("a"), users);
             EdgeProcess b = node(portB, portA, dir.resolve("b"), users);
             UdpPhone erin = new UdpPhone(); UdpPhone fred = new UdpPhone()) {
            String callId = "cluster-auth-" + UUID.randomUUID();
            String contact = "Contact: <sip:erin@127.0.0.1:" + erin.port() + ">";
            SipProbe.Response challenge = SipProbe.udp(a.sipPort(), SipProbe.register("erin", a.sipPort(), callId, 1,
                    contact, "Expires: 600"));
            assertNotNull(challenge, "node A answered");
            assertEquals(401, challenge.status(), challenge.raw());
            String uri = "sip:127.0.0.1";
            String first = "Authorization: " + DigestAnswer.of(challenge.raw(), "erin", "erin-secret", "REGISTER", uri,
                    1);
            SipProbe.Response onB = SipProbe.udp(b.sipPort(), register("erin", b.sipPort(), callId, 2, contact, first));
            assertNotNull(onB, "node B answered");
            assertEquals(200, onB.status(), "A's challenge answered on B:\n" + onB.raw() + "\n--- B ---\n" + b.output());

            SipProbe.Response replay = SipProbe.udp(a.sipPort(), register("erin", a.sipPort(), callId, 3, contact,
                    first));
            assertNotNull(replay);
            assertEquals(401, replay.status(), "the same nonce-count again, on A: a replay\n" + replay.raw());
            String next = "Authorization: " + DigestAnswer.of(challenge.raw(), "erin", "erin-secret", "REGISTER", uri, 2);
            SipProbe.Response onA = SipProbe.udp(a.sipPort(), register("erin", a.sipPort(), callId, 4, contact, next));
            assertNotNull(onA);
            assertEquals(200, onA.status(), "the next nonce-count, on A:\n" + onA.raw());

            // calling: B challenges, A accepts the answer and delivers to erin (registered through both)
            String msg = "MESSAGE sip:erin@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + fred.port()
                    + ";branch=z9hG4bK-%s;rport\r\nMax-Forwards: 70\r\nFrom: <sip:fred@127.0.0.1>;tag=f1\r\n"
                    + "To: <sip:erin@127.0.0.1>\r\nCall-ID: " + callId + "-m\r\nCSeq: %d MESSAGE\r\n%s"
                    + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi";
            fred.send(b.sipPort(), String.format(msg, UUID.randomUUID(), 1, ""));
            String proxyChallenge = fred.finalResponse(java.time.Duration.ofSeconds(5));
            assertNotNull(proxyChallenge, "node B answered the MESSAGE");
            assertEquals(407, UdpPhone.status(proxyChallenge), proxyChallenge);
            String creds = "Proxy-Authorization: " + DigestAnswer.of(proxyChallenge, "fred", "fred-secret", "MESSAGE",
                    "sip:erin@127.0.0.1", 1) + "\r\n";
            fred.send(a.sipPort(), String.format(msg, UUID.randomUUID(), 2, creds));
            String delivered = erin.receive(java.time.Duration.ofSeconds(5));
            assertNotNull(delivered, "B's 407 answered on A: the MESSAGE reached erin\n--- A ---\n" + a.output());
            erin.reply(delivered, 200, "OK");
            assertEquals(200, UdpPhone.status(fred.finalResponse(java.time.Duration.ofSeconds(5))));
        }
    }

    private static String register(String user, int port, String callId, int cseq, String contact, String auth) {
        return SipProbe.register(user, port, callId, cseq, contact, "Expires: 600", auth);
    }

    private static EdgeProcess node(int port, int peer, Path work, Path users) throws Exception {
        return EdgeProcess.builder().workDir(Files.createDirectories(work))
                .set("store", "hazelcast").set("store.port", Integer.toString(port))
                .set("store.members", "127.0.0.1:" + peer).set("rtpengine.engines", "off")
                .set("registrar.auth", "digest").set("registrar.users-file", users.toString())
                .start();
    }
}
