package org.sipedge.proxy;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.sipedge.config.ConfigException;
import org.sipedge.config.Param;
import org.sipedge.config.Settings;
import org.sipedge.proxy.core.CallerPolicy;
import org.sipedge.proxy.core.PeerAddresses;
import org.sipedge.conference.ConferenceParam;
import org.sipedge.conference.ConferencePins;
import org.sipedge.dispatcher.Dispatcher;
import org.sipedge.dispatcher.DispatcherParam;
import org.sipedge.registrar.RegistrarComponents;
import org.sipedge.registrar.RegistrarParam;
import org.sipedge.registrar.auth.DigestAuthenticator;
import org.sipedge.rtpengine.MediaAnchors;
import org.sipedge.rtpengine.RtpengineParam;
import org.sipedge.relay.MediaRelay;
import org.sipedge.relay.RelayConfig;
import org.sipedge.relay.RelayParam;
import org.sipedge.store.ClusterStore;

/**
 * How the proxy's settings become its parts, and what a value's type alone cannot check: the push URL, who may call,
 * the trusted peers, the in-process relay, the engines, the dispatcher and conference keys. Refuses bad values with
 * a {@link ConfigException} naming the key and where it came from.
 */
final class ProxySettings {
    static final String AUTH_NEEDS_REGISTRAR =
            "proxy.auth=digest needs registrar.auth=digest: calls are checked against the registrar's users file and realm";

    private ProxySettings() {
    }

    /**
     * The media relay inside this node, when {@code rtpengine.engines} names no engine and {@code relay.in-process}
     * is on; else null. Its media interface defaults to the SIP listener's address.
     */
    static MediaRelay startRelay(Settings settings, ClusterStore store, java.net.InetAddress bind) {
        if (!MediaAnchors.noEnginesConfigured(settings) || !settings.getBool(RelayParam.IN_PROCESS)) {
            return null;
        }
        return MediaRelay.start(relayConfig(settings, bind), store);
    }

    private static RelayConfig relayConfig(Settings settings, java.net.InetAddress bind) {
        if (bind.isAnyLocalAddress() && settings.get(RelayParam.INTERFACES).isBlank()) {
            throw new ConfigException(RelayParam.INTERFACES.key(), settings.sourceOf(RelayParam.INTERFACES),
                    "empty while the SIP listeners bind to the wildcard " + bind.getHostAddress()
                            + ": name the address phones send media to (e.g. 10.0.0.5, or 10.0.0.5!203.0.113.5 "
                            + "behind 1:1 NAT)");
        }
        return RelayConfig.from(settings, false, bind.getHostAddress());
    }

    static PushNotifier pushNotifierOf(Settings settings) {
        String url = settings.get(ProxyParam.PUSH_URL).trim();
        if (url.isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(url);
            if (u.getScheme() == null || !u.getScheme().startsWith("http")) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return new HttpPushNotifier(u);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ProxyParam.PUSH_URL.key(), settings.sourceOf(ProxyParam.PUSH_URL),
                    "'" + url + "': " + e.getMessage());
        }
    }

    /**
     * Who may call: {@code proxy.auth} (auto = as registrar.auth) with the registrar's authenticator, the local
     * domains, the foreign-caller rule and the trusted peers.
     */
    static CallerPolicy callerPolicyOf(Settings settings, RegistrarComponents registrar) {
        String auth = settings.get(ProxyParam.AUTH);
        DigestAuthenticator authenticator = registrar.authenticator();
        if (auth.equals("digest") && authenticator == null) {
            throw new ConfigException(ProxyParam.AUTH.key(), settings.sourceOf(ProxyParam.AUTH),
                    AUTH_NEEDS_REGISTRAR);
        }
        return new CallerPolicy(auth.equals("none") ? null : authenticator, domainsOf(settings),
                CallerPolicy.Foreign.valueOf(settings.get(ProxyParam.INBOUND_FROM_FOREIGN).toUpperCase(Locale.ROOT)),
                trustedPeersOf(settings), System::nanoTime);
    }

    private static Set<String> domainsOf(Settings settings) {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String d : settings.get(ProxyParam.DOMAINS).split("[,\\s]+")) {
            if (!d.isBlank()) {
                out.add(d.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static PeerAddresses trustedPeersOf(Settings settings) {
        try {
            return PeerAddresses.parse(settings.get(ProxyParam.TRUSTED_PEERS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ProxyParam.TRUSTED_PEERS.key(), settings.sourceOf(ProxyParam.TRUSTED_PEERS),
                    e.getMessage());
        }
    }

    /** Every key this module reads itself (the registrar's and the store's are read by the registrar). */
    static List<Param> params() {
        List<Param> all = new ArrayList<>(List.of(ProxyParam.values()));
        all.addAll(List.of(RtpengineParam.values()));
        all.addAll(List.of(RelayParam.values()));
        all.addAll(List.of(DispatcherParam.values()));
        all.addAll(List.of(ConferenceParam.values()));
        return all;
    }

    /** Checks what a single value's type cannot (the push URL, the engine list and flags). */
    static void validate(Settings settings) {
        pushNotifierOf(settings);
        trustedPeersOf(settings);
        if (settings.asMap().containsKey(RegistrarParam.AUTH.key()) && settings.get(ProxyParam.AUTH).equals("digest")
                && !settings.get(RegistrarParam.AUTH).equals("digest")) {
            throw new ConfigException(ProxyParam.AUTH.key(), settings.sourceOf(ProxyParam.AUTH),
                    AUTH_NEEDS_REGISTRAR);
        }
        MediaAnchors.validate(settings);
        if (MediaAnchors.noEnginesConfigured(settings) && settings.getBool(RelayParam.IN_PROCESS)) {
            RelayConfig.from(settings, false, "127.0.0.1"); // the interface default is checked once bound
        }
        Dispatcher.validate(settings);
        ConferencePins.validate(settings);
    }
}
