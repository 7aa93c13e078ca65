package org.sipedge.proxy.stack;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The conference id in our Record-Route: the BYE that ends a conference call releases it from the pin, and
 * in-dialog requests keep the pin alive, with no per-dialog state on the node.
 */
final class ConferenceRouteParam {
    /** Record-Route URI parameter carrying the conference id (base64url of its UTF-8 bytes). */
    static final String NAME = "sefc";

    private ConferenceRouteParam() {
    }

    static String encode(String conference) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(conference.getBytes(StandardCharsets.UTF_8));
    }

    /** The conference id in {@code param}; empty when absent or not ours. */
    static Optional<String> decode(String param) {
        if (param == null || param.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getUrlDecoder().decode(param), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
