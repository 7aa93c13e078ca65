package org.sipedge.registrar.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

/** Address-of-record keys (RFC 3261 §10.3 step 5) and Contact comparison keys (§10.3 step 7, §19.1.4). */
@DisplayName("AddressOfRecord — canonical AORs and Contact keys")
class AddressOfRecordTest {

    @Nested
    @DisplayName("§10.3 step 5: the AOR is the To URI in canonical form")
    class Canonical {

        @ParameterizedTest(name = "user {0} at host {1} → {2}")
        @CsvSource(delimiter = '|', textBlock = """
                # To user  | To host          | AOR
                alice      | example.com      | sip:alice@example.com
                alice      | EXAMPLE.COM      | sip:alice@example.com
                alice      | Example.Com      | sip:alice@example.com
                # the user part is case-sensitive (§19.1.4)
                Alice      | example.com      | sip:Alice@example.com
                +15551234  | Sip.Example.NET  | sip:+15551234@sip.example.net
                alice      | 192.0.2.10       | sip:alice@192.0.2.10
                """)
        void ofUserAndHost(String user, String host, String aor) {
            assertEquals(aor, AddressOfRecord.of(user, host));
        }

        @ParameterizedTest(name = "To: {0} → sip:alice@example.com")
        @CsvSource(delimiter = '|', textBlock = """
                sip:alice@example.com
                sips:alice@example.com
                SIP:alice@EXAMPLE.com
                sips:alice@Example.COM:5061;transport=tls
                sip:alice@example.com;user=ip
                """)
        void sipsRegistersIntoTheSipAor(String toUri) {
            assertEquals("sip:alice@example.com", aorOfToUri(toUri));
        }

        @ParameterizedTest(name = "user \"{0}\" → rejected")
        @NullAndEmptySource
        void missingUser(String user) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AddressOfRecord.of(user, "example.com"));
            assertEquals("To URI has no user part", e.getMessage());
        }

        @ParameterizedTest(name = "host \"{0}\" → rejected")
        @NullAndEmptySource
        void missingHost(String host) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AddressOfRecord.of("alice", host));
            assertEquals("To URI has no host", e.getMessage());
        }

        /** What the servlet layer does: the container's SipURI user and host, whatever the scheme. */
        private String aorOfToUri(String to) {
            String rest = to.substring(to.indexOf(':') + 1);
            int semi = rest.indexOf(';');
            if (semi >= 0) {
                rest = rest.substring(0, semi);
            }
            String user = rest.substring(0, rest.indexOf('@'));
            String hostPort = rest.substring(rest.indexOf('@') + 1);
            String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
            return AddressOfRecord.of(user, host);
        }
    }

    @Nested
    @DisplayName("§10.3 step 7: Contact keys")
    class ContactKey {

        @ParameterizedTest(name = "{0} → {1}")
        @CsvSource(delimiter = '|', textBlock = """
                # Contact URI                                              | key
                # angle brackets and surrounding blanks are not part of the URI
                <sip:alice@192.0.2.10:5062>                                | sip:alice@192.0.2.10:5062
                '  <sip:alice@192.0.2.10:5062>  '                          | sip:alice@192.0.2.10:5062
                # scheme and host are case-insensitive, the user is not
                sip:alice@Example.COM                                      | sip:alice@example.com
                SIP:Alice@Example.COM                                      | sip:Alice@example.com
                sip:alice:secret@Example.com                               | sip:alice:secret@example.com
                sips:alice@example.com:5061                                | sips:alice@example.com:5061
                # the transport parameter is kept (name and value in lower case)
                sip:alice@example.com;transport=TCP                        | sip:alice@example.com;transport=tcp
                sip:alice@example.com;Transport=Tcp                        | sip:alice@example.com;transport=tcp
                sip:k3d9@df7jal23.invalid;ob;transport=ws;rinstance=1      | sip:k3d9@df7jal23.invalid;transport=ws
                # the port is kept, other parameters and headers are dropped
                sip:alice@example.com:5062;ob                              | sip:alice@example.com:5062
                sip:alice@example.com;pn-provider=apns;pn-prid=00fc13ad    | sip:alice@example.com
                sip:alice@example.com?Subject=x                            | sip:alice@example.com
                # no user part
                sip:Gateway.Example.COM:5060                               | sip:gateway.example.com:5060
                sip:alice@[2001:DB8::10]:5062                              | sip:alice@[2001:db8::10]:5062
                """)
        void key(String uri, String key) {
            assertEquals(key, AddressOfRecord.contactKey(uri));
        }

        @ParameterizedTest(name = "[{index}] {0}: {1}  vs  {2}")
        @CsvFileSource(resources = "/rfc/contact-uri-equivalence.txt", delimiter = '|')
        @DisplayName("RFC 3261 §19.1.4 comparison examples and real clients' contacts")
        void equivalence(String verdict, String first, String second) {
            String a = AddressOfRecord.contactKey(first);
            String b = AddressOfRecord.contactKey(second);
            switch (verdict) {
                case "same" -> assertEquals(a, b, () -> "must be one binding: keys " + a + "  vs  " + b);
                case "different" -> assertNotEquals(a, b, () -> "must be two bindings: both keys are " + a);
                default -> throw new IllegalArgumentException("verdict must be same or different: " + verdict);
            }
        }

        @Test
        @DisplayName("the key of a URI is the key of its key (idempotent)")
        void idempotent() {
            String k = AddressOfRecord.contactKey("<SIP:Alice@Example.COM:5062;ob;Transport=TLS>");
            assertEquals(k, AddressOfRecord.contactKey(k));
        }
    }
}
