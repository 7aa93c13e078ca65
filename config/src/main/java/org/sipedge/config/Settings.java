package org.sipedge.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checked, immutable configuration. Layers, later wins: the enum default, the deployment descriptor (sip.xml
 * context-params), the properties file named by {@code -Dsipedge.config=FILE} (or {@code --config FILE}), and
 * {@code -Dkey=value} system properties. Every layer is checked against the known keys: an unknown key or a bad
 * value throws {@link ConfigException} naming the key and its source.
 */
public final class Settings {
    /** System property naming the properties file with overrides. */
    public static final String CONFIG_FILE_PROPERTY = "sipedge.config";

    /**
     * Keys that were renamed: old name → new name. An old name is refused wherever it is set, with the new one in
     * the message (a silently ignored key would leave the setting at its default).
     */
    public static final Map<String, String> RENAMED = Map.of(
            // http.* is the JDK's namespace (http.proxyHost, http.agent ...): claiming it refused such JVMs
            "http.port", "web.port");

    private final Map<String, String> values;
    private final Map<String, String> sources;

    private Settings(Map<String, String> values, Map<String, String> sources) {
        this.values = Map.copyOf(values);
        this.sources = Map.copyOf(sources);
    }

    /**
     * Applies a launcher's command line: {@code --config FILE} names the properties file, {@code -Dkey=value} sets a
     * system property, the {@code command} word itself is skipped; anything else throws {@link ConfigException}.
     */
    public static void applyCommandLine(String[] args, String command) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("--config", "command line", "needs a file name");
                }
                Path file = Path.of(args[++i]);
                if (!Files.isReadable(file)) {
                    throw new ConfigException("--config", "command line", "cannot read " + file);
                }
                System.setProperty(CONFIG_FILE_PROPERTY, file.toAbsolutePath().toString());
            } else if (a.startsWith("-D") && a.contains("=")) {
                int eq = a.indexOf('=');
                System.setProperty(a.substring(2, eq), a.substring(eq + 1));
            } else if (!a.equals(command)) {
                throw new ConfigException(a, "command line", "unknown argument (use --config FILE or -Dkey=value)");
            }
        }
    }

    /**
     * Builds settings for {@code params}.
     *
     * @param params      every key that is allowed
     * @param descriptor  context-param lookup (name → value or null), with a label for messages
     * @param descriptorNames names of all context-params present, checked for unknown keys of our namespaces
     * @param system      system properties (the file named by {@link #CONFIG_FILE_PROPERTY} is read from here)
     */
    public static Settings load(Collection<? extends Param> params, String descriptorLabel,
                                Function<String, String> descriptor, Collection<String> descriptorNames,
                                Properties system) {
        Map<String, Param> known = params.stream().collect(Collectors.toMap(Param::key, p -> p, (a, b) -> a,
                LinkedHashMap::new));
        Set<String> namespaces = known.keySet().stream().map(Settings::namespace).collect(Collectors.toSet());
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (Param p : known.values()) {
            values.put(p.key(), p.defaultValue());
            sources.put(p.key(), "built-in default");
        }
        for (String name : descriptorNames) {
            refuseRenamed(name, descriptorLabel);
            if (!known.containsKey(name)) {
                if (namespaces.contains(namespace(name))) {
                    throw new ConfigException(name, descriptorLabel, "unknown key" + suggestion(name, known));
                }
                continue; // context-params of other software are none of our business
            }
            apply(known.get(name), descriptor.apply(name), descriptorLabel, values, sources);
        }
        String file = system.getProperty(CONFIG_FILE_PROPERTY);
        if (file != null && !file.isBlank()) {
            Properties fromFile = readFile(Path.of(file));
            for (String name : new TreeMap<>(toMap(fromFile)).keySet()) {
                refuseRenamed(name, "file " + file);
                if (!known.containsKey(name)) {
                    throw new ConfigException(name, "file " + file, "unknown key" + suggestion(name, known));
                }
                apply(known.get(name), fromFile.getProperty(name), "file " + file, values, sources);
            }
        }
        for (String name : new TreeMap<>(toMap(system)).keySet()) {
            refuseRenamed(name, "-D" + name);
            if (known.containsKey(name)) {
                apply(known.get(name), system.getProperty(name), "-D" + name, values, sources);
            } else if (namespaces.contains(namespace(name)) && !name.equals(CONFIG_FILE_PROPERTY)) {
                throw new ConfigException(name, "-D" + name, "unknown key" + suggestion(name, known));
            }
        }
        return new Settings(values, sources);
    }

    /** Settings from defaults and system properties only (tests, tools). */
    public static Settings defaults(Collection<? extends Param> params) {
        return load(params, "none", n -> null, Set.of(), new Properties());
    }

    private static void apply(Param p, String raw, String source, Map<String, String> values,
                              Map<String, String> sources) {
        if (raw == null) {
            return;
        }
        try {
            values.put(p.key(), raw.isBlank() ? "" : p.type().check(raw));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(p.key(), source, e.getMessage() + " (" + p.description() + ")");
        }
        sources.put(p.key(), source);
    }

    private static void refuseRenamed(String name, String source) {
        String now = RENAMED.get(name);
        if (now != null) {
            throw new ConfigException(name, source, "this key was renamed: use " + now);
        }
    }

    private static Properties readFile(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigException(CONFIG_FILE_PROPERTY, "file " + file, "cannot read: " + e.getMessage());
        }
        return p;
    }

    private static Map<String, String> toMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : p.stringPropertyNames()) {
            m.put(n, p.getProperty(n));
        }
        return m;
    }

    private static String namespace(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot);
    }

    private static String suggestion(String name, Map<String, Param> known) {
        String ns = namespace(name);
        String keys = known.keySet().stream().filter(k -> namespace(k).equals(ns)).sorted()
                .collect(Collectors.joining(", "));
        return keys.isEmpty() ? "" : "; known " + ns + ".* keys: " + keys;
    }

    public String get(Param p) {
        String v = values.get(p.key());
        if (v == null) {
            throw new IllegalArgumentException("not a configured key: " + p.key());
        }
        return v;
    }

    public int getInt(Param p) {
        return Integer.parseInt(get(p));
    }

    public long getLong(Param p) {
        return Long.parseLong(get(p));
    }

    public boolean getBool(Param p) {
        return Boolean.parseBoolean(get(p));
    }

    /** Where the value of {@code p} came from, for the start-up log. */
    public String sourceOf(Param p) {
        return sources.get(p.key());
    }

    /** All values, for logging and for passing on to the container. */
    public Map<String, String> asMap() {
        return new TreeMap<>(values);
    }
}
