package org.sipedge.config;

/**
 * One configuration key. Each module lists its keys in one enum implementing this interface; the deployment
 * descriptor (sip.xml context-params) carries the same defaults and the module README the same table — tests keep
 * the three in step.
 */
public interface Param {
    /** The key as operators write it, e.g. {@code registrar.min-expires}. */
    String key();

    /** The built-in default, as text. Empty means "not set". */
    String defaultValue();

    /** What the key means, one line, used for the README table and error messages. */
    String description();

    /** How values are checked. */
    ValueType type();
}
