package org.sipedge.registrar.core;

import java.util.Locale;

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
        String u = uri.trim();
        if (u.startsWith("<") && u.endsWith(">")) {
            u = u.substring(1, u.length() - 1);
        }
        int semi = u.indexOf(';');
        String base = semi < 0 ? u : u.substring(0, semi);
        int q = base.indexOf('?');
        if (q >= 0) {
            base = base.substring(0, q);
        }
        String transport = "";
        if (semi >= 0) {
            for (String p : u.substring(semi + 1).split(";")) {
                if (p.toLowerCase(Locale.ROOT).startsWith("transport=")) {
                    transport = ";transport=" + p.substring(10).toLowerCase(Locale.ROOT);
                }
            }
        }
        int at = base.indexOf('@');
        int colon = base.indexOf(':');
        String scheme = colon < 0 ? "" : base.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? base : base.substring(colon + 1);
        if (at >= 0) {
            String user = base.substring(colon + 1, at);
            rest = user + "@" + base.substring(at + 1).toLowerCase(Locale.ROOT);
        } else {
            rest = rest.toLowerCase(Locale.ROOT);
        }
        return scheme + ":" + rest + transport;
    }
}
