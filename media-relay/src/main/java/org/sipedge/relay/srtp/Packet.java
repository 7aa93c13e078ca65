package org.sipedge.relay.srtp;

import java.util.Arrays;
import org.jitsi.utils.ByteArrayBuffer;

/** A packet in a byte array with room to grow, as jitsi-srtp transforms it in place. */
public final class Packet implements ByteArrayBuffer {
    /** Room kept after the payload: the largest SRTCP trailer (4-byte index, 16-byte GCM tag). */
    static final int TRAILER = 20;

    private byte[] buffer;
    private int offset;
    private int length;

    public Packet(byte[] data, int off, int len) {
        buffer = Arrays.copyOfRange(data, off, off + len + TRAILER);
        offset = 0;
        length = len;
    }

    /** The packet's bytes as they are now. */
    public byte[] bytes() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int len) {
        length = len;
    }

    @Override
    public void setOffset(int off) {
        offset = off;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
        System.arraycopy(buffer, offset + off, out, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (offset + length + howMuch > buffer.length) {
            buffer = Arrays.copyOf(buffer, offset + length + howMuch);
        }
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        length = Math.max(0, length - len);
    }
}
