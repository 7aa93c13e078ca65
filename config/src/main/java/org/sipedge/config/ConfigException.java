package org.sipedge.config;

/** A configuration problem that must stop start-up. The message names the key and where the value came from. */
public final class ConfigException extends RuntimeException {
    private final String key;
    private final String source;

    public ConfigException(String key, String source, String problem) {
        super(key + " (" + source + "): " + problem);
        this.key = key;
        this.source = source;
    }

    public String key() {
        return key;
    }

    public String source() {
        return source;
    }
}
