package org.sipedge.relay;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/**
 * Every key of the media relay; the module README's table and the WAR's sip.xml list exactly these. Values that
 * {@link ValueType} cannot check (the interface list, the port range, the ng address) are checked by
 * {@link RelayConfig#from} with a {@link org.sipedge.config.ConfigException} naming the key.
 */
public enum RelayParam implements Param {
    IN_PROCESS("relay.in-process", "true", new ValueType.Bool(),
            "./sipedge run: start a relay inside the node and anchor calls there when rtpengine.engines is empty"),
    NG_LISTEN("relay.ng-listen", "", new ValueType.Text(),
            "ng control address IP:PORT (UDP); empty = no ng port inside ./sipedge run (the proxy calls the "
                    + "relay directly), 127.0.0.1:22222 for ./sipedge relay"),
    INTERFACES("relay.interfaces", "", new ValueType.Text(),
            "media interfaces as 'NAME/ADDRESS[!ADVERTISED], ...' (literal IPs; the first is the default, ng "
                    + "direction picks others by NAME); empty = the SIP bind address inside ./sipedge run, 127.0.0.1 "
                    + "for ./sipedge relay"),
    PORT_MIN("relay.port-min", "30000", new ValueType.Int(1024, 65535),
            "lowest media port (RTP on even ports, RTCP on the odd port above)"),
    PORT_MAX("relay.port-max", "40000", new ValueType.Int(1025, 65535),
            "highest media port"),
    TIMEOUT("relay.timeout", "60", new ValueType.Int(1, 86400),
            "seconds without any media packet after which an answered call ends"),
    OFFER_TIMEOUT("relay.offer-timeout", "3600", new ValueType.Int(1, 86400),
            "seconds after which an offer that was never answered ends"),
    DELETE_DELAY("relay.delete-delay", "30", new ValueType.Int(0, 3600),
            "seconds a deleted call keeps relaying before its ports are freed, unless the delete says "
                    + "delete-delay (0 = at once)"),
    ENDPOINT_LEARNING("relay.endpoint-learning", "delayed", ValueType.OneOf.of("delayed", "immediate", "off"),
            "where media to a party goes: delayed = to each new source for 3 s after signalling, then to the "
                    + "confirmed one; immediate = to the latest source; off = to the SDP address"),
    MAX_CALLS("relay.max-calls", "0", new ValueType.Int(0, 1000000),
            "calls at most (offers beyond get 'load limit' errors); 0 = as many as the port range holds"),
    IO_THREADS("relay.io-threads", "0", new ValueType.Int(0, 64),
            "threads forwarding media (each call's sockets stay on one); 0 = one per core"),
    WEIGHT("relay.weight", "1", new ValueType.Int(1, 1000),
            "weight announced in the cluster store: proxies pick relays in proportion to it"),
    ANNOUNCE("relay.announce", "true", new ValueType.Bool(),
            "announce this relay (ng address, capacity, load) in the cluster store so proxies find it; "
                    + "only with a clustered store and an ng port"),
    WEBRTC("relay.webrtc", "true", new ValueType.Bool(),
            "terminate WebRTC media (ICE-lite, DTLS-SRTP) so browsers and plain phones talk through the relay; "
                    + "false = plain RTP only (offers that need it are refused)"),
    MAX_HANDSHAKES("relay.max-handshakes", "256", new ValueType.Int(1, 10000),
            "DTLS handshakes running at once (each holds a thread for at most 10 s); more are refused and counted");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    RelayParam(String key, String def, ValueType type, String description) {
        this.key = key;
        this.def = def;
        this.type = type;
        this.description = description;
    }

    @Override public String key() { return key; }
    @Override public String defaultValue() { return def; }
    @Override public String description() { return description; }
    @Override public ValueType type() { return type; }
}
