package org.sipedge.registrar.core;

import java.util.Locale;
import org.sipedge.sip.SipUri;

/** Canonical address-of-record keys: {@code sip:user@host}, host in lower case, no port or parameters. */
public final class AddressOfRecord {
    private AddressOfRecord() {
    }

    /** The AOR of a user at a host ({@code sips} registers into the same AOR as {@code sip}). */
    public static String of(String user, String host) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("To URI has no user part");
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("To URI has no host");
        }
        return "sip:" + user + "@" + host.toLowerCase(Locale.ROOT);
    }

    /**
     * The key two Contact URIs are compared by: scheme, user, host and port, plus the transport parameter
     * (RFC 3261 §19.1.4 in the parts that matter for bindings); other parameters such as push tokens may change
     * between refreshes of the same contact.
     */
    public static String contactKey(String uri) {
        SipUri u = SipUri.parseOrNull(uri);
        if (u == null) { // not a SIP URI (tel:, urn: ...): compared as written
            String t = uri.trim();
            return t.startsWith("<") && t.endsWith(">") ? t.substring(1, t.length() - 1) : t;
        }
        String transport = u.param("transport");
        return u.scheme() + ":" + (u.user() == null ? "" : u.user() + (u.password() == null ? "" : ":"
                + u.password()) + "@") + u.hostPort().toLowerCase(Locale.ROOT)
                + (transport == null ? "" : ";transport=" + transport.toLowerCase(Locale.ROOT));
    }
}
