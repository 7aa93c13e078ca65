package org.sipedge.proxy.core;

import java.io.Serializable;

/** RFC 8599 push parameters remembered for a user's device (kept after its binding went away). */
public record PushContact(String provider, String prid, String param) implements Serializable {
}
