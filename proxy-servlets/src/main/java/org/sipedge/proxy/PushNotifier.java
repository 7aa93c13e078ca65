package org.sipedge.proxy;

import java.util.concurrent.CompletableFuture;
import org.sipedge.proxy.core.PushContact;

/** Wakes a device through its push service (RFC 8599). Must not block the caller. */
public interface PushNotifier {
    /**
     * Sends one wake-up.
     *
     * @param type "call" (INVITE) or "message" (MESSAGE)
     * @return completes with true when the push service accepted it
     */
    CompletableFuture<Boolean> notify(String aor, PushContact device, String callId, String from, String type);
}
