package org.sipedge.store.shared;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A stored value as the cluster sees it: {@code [expiresAtMillis:8][write id:8][Java-serialized value]}. The
 * deadline makes expiry exact on every member (entries are invisible the moment they expire, as in the memory
 * store); the random write id makes two writes of the same value distinct, so compare-and-set never mistakes a
 * newer write for the one it read. Deserialization accepts only JDK value types and SIP Edge's own classes.
 */
public final class Stamped {
    private static final ObjectInputFilter ONLY_VALUES = ObjectInputFilter.Config.createFilter(
            "maxdepth=64;maxrefs=100000;maxbytes=16777216;java.lang.*;java.util.*;java.time.*;java.net.*;"
                    + "org.sipedge.**;!*");

    private Stamped() {
    }

    public static byte[] encode(Object value, long expiresAtMillis) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        bytes.writeBytes(ByteBuffer.allocate(16).putLong(expiresAtMillis)
                .putLong(ThreadLocalRandom.current().nextLong()).array());
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("value of type " + value.getClass().getName()
                    + " cannot be stored in a cluster (not serializable): " + e, e);
        }
        return bytes.toByteArray();
    }

    public static long expiresAt(byte[] stamped) {
        return ByteBuffer.wrap(stamped, 0, 8).getLong();
    }

    public static boolean liveAt(byte[] stamped, long nowMillis) {
        return stamped != null && expiresAt(stamped) > nowMillis;
    }

    @SuppressWarnings("unchecked")
    public static <V> V decode(byte[] stamped) {
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(stamped, 16, stamped.length - 16))) {
            in.setObjectInputFilter(ONLY_VALUES);
            return (V) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException("stored value cannot be read", e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("stored value of an unknown class (mixed versions in the cluster?)", e);
        }
    }
}
