package org.sipedge.registrar;

import java.util.List;

/** The response to a REGISTER, independent of the API that sends it: status, reason and headers in order. */
public record RegisterReply(int status, String reason, List<Header> headers) {
    public record Header(String name, String value) {
    }

    public RegisterReply {
        headers = List.copyOf(headers);
    }

    /** All values of {@code name}, in order. */
    public List<String> values(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
    }
}
