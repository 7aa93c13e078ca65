package org.sipedge.proxy.core;

import java.io.Serializable;

/** A MESSAGE kept for an offline user: what is needed to send it again, byte-exact. */
public record StoredMessage(String from, String to, String contentType, byte[] body, long storedAtMillis,
                            String callId) implements Serializable {
}
