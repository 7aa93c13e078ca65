package org.sipedge.registrar;

import org.sipedge.config.Param;
import org.sipedge.config.ValueType;

/** Every key of the registrar; the module README's table and the WAR's sip.xml list exactly these. */
public enum RegistrarParam implements Param {
    MIN_EXPIRES("registrar.min-expires", "60", new ValueType.Int(1, 86400),
            "shortest accepted registration in seconds; shorter (non-zero) gets 423 with Min-Expires"),
    MAX_EXPIRES("registrar.max-expires", "7200", new ValueType.Int(1, 604800),
            "longest registration in seconds; longer requests are clamped"),
    DEFAULT_EXPIRES("registrar.default-expires", "3600", new ValueType.Int(1, 604800),
            "expiry used when neither the Contact nor an Expires header gives one"),
    MAX_CONTACTS("registrar.max-contacts", "10", new ValueType.Int(1, 1000),
            "most bindings per address-of-record; more gets 403"),
    AUTH("registrar.auth", "none", ValueType.OneOf.of("none", "digest"),
            "none, or digest (RFC 8760: SHA-256 and MD5 challenges, qop=auth)"),
    REALM("registrar.realm", "sipedge", new ValueType.Text(),
            "digest realm offered in challenges"),
    USERS_FILE("registrar.users-file", "", new ValueType.Text(),
            "file of users for digest auth: 'user realm password:SECRET' or 'user realm ha1-md5:HEX ha1-sha256:HEX' per line"),
    DIGEST_ALGORITHMS("registrar.digest-algorithms", "SHA-256,MD5", new ValueType.Text(),
            "challenges offered, in order of preference (RFC 8760); clients that read only the first and know only MD5 need MD5 first"),
    NONCE_LIFETIME("registrar.nonce-lifetime", "300", new ValueType.Int(5, 86400),
            "seconds a digest nonce stays valid; older nonces get a stale=true challenge"),
    NONCE_SECRET_ROTATION("registrar.nonce-secret-rotation", "86400", new ValueType.Int(300, 31536000),
            "seconds each digest nonce secret is used for; the next period draws a new one (shared by the cluster "
                    + "store, like the nonce-counts that stop replays on any node); at least registrar.nonce-lifetime"),
    UDP_FAST_PATH("registrar.udp-fast-path", "true", new ValueType.Bool(),
            "answer UDP REGISTER straight from the transport (no transaction/session kept); false = via the servlet"),
    NODE_ID("registrar.node-id", "", new ValueType.Text(),
            "this node's name in bindings it owns; empty = loopback address and process id");

    private final String key;
    private final String def;
    private final ValueType type;
    private final String description;

    RegistrarParam(String key, String def, ValueType type, String description) {
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
