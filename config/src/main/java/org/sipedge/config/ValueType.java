package org.sipedge.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The shape a parameter value must have. Checking happens once, at start-up, with a message naming the key. */
public sealed interface ValueType {

    /** Returns the canonical value or throws {@link IllegalArgumentException} with a reason (no key: the caller adds it). */
    String check(String value);

    /** Integer in [min, max]. */
    record Int(long min, long max) implements ValueType {
        @Override public String check(String value) {
            long v;
            try {
                v = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not an integer");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(v + " is outside " + min + ".." + max);
            }
            return Long.toString(v);
        }
    }

    /** true or false. */
    record Bool() implements ValueType {
        @Override public String check(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("'" + value + "' is not true or false");
            }
            return v;
        }
    }

    /** One of a fixed set of words. */
    record OneOf(List<String> allowed) implements ValueType {
        public static OneOf of(String... words) {
            return new OneOf(Arrays.asList(words));
        }

        @Override public String check(String value) {
            String v = value.trim();
            if (!allowed.contains(v)) {
                throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", allowed));
            }
            return v;
        }
    }

    /** Free text (file paths, names); may be empty. */
    record Text() implements ValueType {
        @Override public String check(String value) {
            return value.trim();
        }
    }

    /** A literal IPv4/IPv6 address (never a host name: start-up must not depend on DNS). */
    record IpAddress() implements ValueType {
        @Override public String check(String value) {
            String v = value.trim();
            boolean ipv4 = v.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                    && Arrays.stream(v.split("\\.")).allMatch(p -> Integer.parseInt(p) <= 255);
            boolean ipv6 = v.contains(":") && v.matches("[0-9a-fA-F:.]+");
            if (!ipv4 && !ipv6) {
                throw new IllegalArgumentException("'" + value + "' is not a literal IP address");
            }
            return v;
        }
    }
}
