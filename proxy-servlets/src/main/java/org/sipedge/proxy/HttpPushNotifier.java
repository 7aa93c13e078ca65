package org.sipedge.proxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.sipedge.proxy.core.PushContact;
import org.sipedge.proxy.core.PushDocument;

/**
 * The default {@link PushNotifier}: an HTTP POST of a JSON document
 * {@code {aor, pn-provider, pn-prid, pn-param, call-id, from, type}} to {@code proxy.push-url}, where a push gateway
 * turns it into an APNs/FCM notification. A 2xx answer counts as sent.
 */
public final class HttpPushNotifier implements PushNotifier {
    private static final Logger LOG = Logger.getLogger("org.sipedge.proxy");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final HttpClient client;

    public HttpPushNotifier(URI url) {
        this.url = url;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @Override
    public CompletableFuture<Boolean> notify(String aor, PushContact device, String callId, String from, String type) {
        String body = PushDocument.json(aor, device, callId, from, type);
        HttpRequest req = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> r.statusCode() / 100 == 2)
                .exceptionally(e -> {
                    LOG.warning("push to " + url + " failed call-id=" + callId + ": " + e);
                    return false;
                });
    }
}
