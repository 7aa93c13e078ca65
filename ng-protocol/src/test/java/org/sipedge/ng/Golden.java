package org.sipedge.ng;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Byte-exact datagrams captured from rtpengine 10.5.3.5 (see the ng reference's raw/ directory). */
final class Golden {
    private Golden() {
    }

    static byte[] datagram(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/ng-golden/" + name + ".bin")) {
            if (in == null) {
                throw new IllegalArgumentException("no golden datagram " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
