package org.sipedge.registrar.core;

import org.sipedge.registrar.PushParams;

/**
 * Checks of the header and parameter values a REGISTER depends on, shared by every reader (servlet API and stack
 * fast path). Each failure's message is the 400's reason phrase: it names the problem, never anything internal.
 */
public final class HeaderValues {
    private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

    private HeaderValues() {
    }

    /** A CSeq header value ({@code "N REGISTER"}) → N. */
    public static long cseq(String header) throws MalformedRegisterException {
        if (header == null) {
            throw new MalformedRegisterException("Missing CSeq header");
        }
        String[] parts = BLANKS.split(header.trim());
        try {
            long n = Long.parseLong(parts[0]);
            if (n < 0 || n > 0x7fffffffL || parts.length != 2 || !parts[1].equals("REGISTER")) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedRegisterException("Malformed CSeq header");
        }
    }

    /** An Expires header value, or null when absent. */
    public static Integer expires(String header) throws MalformedRegisterException {
        if (header == null) {
            return null;
        }
        try {
            return seconds(header);
        } catch (NumberFormatException e) {
            throw new MalformedRegisterException("Malformed Expires header");
        }
    }

    private static int seconds(String v) {
        long n = Long.parseLong(v.trim());
        if (n < 0) {
            throw new NumberFormatException();
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    /** One Contact from its URI and the raw values of its header parameters (null when absent). */
    public static ContactSpec contact(String uri, String expiresParam, String qParam, String instanceParam,
                                      String regIdParam, PushParams push) throws MalformedRegisterException {
        if (uri == null || uri.isBlank()) {
            throw new MalformedRegisterException("Malformed Contact header");
        }
        Integer expires = null;
        if (expiresParam != null) {
            try {
                expires = seconds(expiresParam);
            } catch (NumberFormatException e) {
                throw new MalformedRegisterException("Malformed expires parameter in Contact");
            }
        }
        Float q = null;
        if (qParam != null) {
            float v;
            try {
                v = Float.parseFloat(qParam.trim());
            } catch (NumberFormatException e) {
                v = Float.NaN;
            }
            if (Float.isNaN(v) || v < 0f || v > 1f) {
                throw new MalformedRegisterException("Malformed q parameter in Contact");
            }
            q = v;
        }
        int regId = 0;
        if (regIdParam != null) {
            try {
                regId = Integer.parseInt(regIdParam.trim());
            } catch (NumberFormatException e) {
                regId = -1;
            }
            if (regId < 1) {
                throw new MalformedRegisterException("Malformed reg-id parameter in Contact");
            }
        }
        PushParams p = push == null || (push.provider() == null && push.prid() == null && push.param() == null)
                ? PushParams.NONE : push;
        return new ContactSpec(uri, expires, q, unquote(instanceParam), regId, p);
    }

    private static String unquote(String v) {
        if (v == null) {
            return null;
        }
        String s = v.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s.isEmpty() ? null : s;
    }
}
