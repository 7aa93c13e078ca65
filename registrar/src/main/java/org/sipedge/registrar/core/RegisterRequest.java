package org.sipedge.registrar.core;

import java.util.List;
import org.sipedge.registrar.Transport;

/**
 * A REGISTER reduced to what the registrar decides on. Built by the servlet layer from the container's message,
 * or by tests from text.
 *
 * @param aor            canonical address-of-record ({@code sip:user@host}, see {@link AddressOfRecord})
 * @param contacts       the Contacts; empty for a query (no Contact header)
 * @param wildcard       true for {@code Contact: *}
 * @param expiresHeader  the Expires header, or null when absent
 * @param connectionKey  the connection the request came on (reliable transports), or null for UDP
 * @param path           Path header values, in order
 * @param branch         the top Via branch: a retransmission of an applied REGISTER carries the same one
 */
public record RegisterRequest(String aor, String callId, long cseq, List<ContactSpec> contacts, boolean wildcard,
                              Integer expiresHeader, Transport transport, String sourceAddress, int sourcePort,
                              String connectionKey, List<String> path, boolean pathSupported,
                              boolean outboundSupported, String branch) {
    public RegisterRequest {
        contacts = List.copyOf(contacts);
        path = List.copyOf(path);
    }

    public boolean isQuery() {
        return contacts.isEmpty() && !wildcard;
    }

    /** {@code host:port}, an IPv6 host in brackets (RFC 3986 authority form) so the port stays unambiguous. */
    public String flowAddress() {
        boolean v6 = sourceAddress.indexOf(':') >= 0 && !sourceAddress.startsWith("[");
        return (v6 ? "[" + sourceAddress + "]" : sourceAddress) + ":" + sourcePort;
    }
}
