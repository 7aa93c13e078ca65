package org.sipedge.registrar.core;

import org.sipedge.registrar.PushParams;

/**
 * One Contact of a REGISTER, as the UA wrote it.
 *
 * @param uri        the URI (no display name, no header parameters)
 * @param expires    the {@code expires} parameter, or null
 * @param q          the {@code q} parameter, or null
 * @param instanceId {@code +sip.instance} without quotes, or null
 * @param regId      {@code reg-id}, or 0
 */
public record ContactSpec(String uri, Integer expires, Float q, String instanceId, int regId, PushParams push) {
    public ContactSpec {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("contact URI is empty");
        }
        push = push == null ? PushParams.NONE : push;
    }

    public static ContactSpec of(String uri) {
        return new ContactSpec(uri, null, null, null, 0, PushParams.NONE);
    }

    public ContactSpec withExpires(Integer e) {
        return new ContactSpec(uri, e, q, instanceId, regId, push);
    }

    public ContactSpec withQ(Float value) {
        return new ContactSpec(uri, expires, value, instanceId, regId, push);
    }

    public ContactSpec withOutbound(String instance, int reg) {
        return new ContactSpec(uri, expires, q, instance, reg, push);
    }

    public ContactSpec withPush(PushParams p) {
        return new ContactSpec(uri, expires, q, instanceId, regId, p);
    }
}
