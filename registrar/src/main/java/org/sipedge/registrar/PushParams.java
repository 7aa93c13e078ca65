package org.sipedge.registrar;

import java.io.Serializable;

/** RFC 8599 push notification parameters from a Contact URI; all null when the UA gave none. */
public record PushParams(String provider, String prid, String param) implements Serializable {
    public static final PushParams NONE = new PushParams(null, null, null);

    public boolean present() {
        return provider != null && prid != null;
    }
}
