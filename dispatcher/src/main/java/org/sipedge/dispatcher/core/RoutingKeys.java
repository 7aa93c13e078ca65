package org.sipedge.dispatcher.core;

/**
 * What the hashing algorithms may hash, taken from the request by the servlet layer. A missing From or
 * Request-URI user falls back to the Call-ID, so a request always has a key.
 */
public record RoutingKeys(String callId, String fromUser, String requestUriUser) {
    public RoutingKeys {
        if (callId == null || callId.isEmpty()) {
            throw new IllegalArgumentException("a request always has a Call-ID");
        }
    }

    public static RoutingKeys ofCallId(String callId) {
        return new RoutingKeys(callId, null, null);
    }

    /** The key {@code algorithm} hashes. */
    public String keyFor(Algorithm algorithm) {
        return switch (algorithm) {
            case HASH_FROM_USER -> fromUser == null || fromUser.isEmpty() ? callId : fromUser;
            case HASH_RURI_USER -> requestUriUser == null || requestUriUser.isEmpty() ? callId : requestUriUser;
            default -> callId;
        };
    }
}
