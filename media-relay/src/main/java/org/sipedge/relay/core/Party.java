package org.sipedge.relay.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One participant of a call as the relay sees it (rtpengine's "monologue"): its tag (unknown for a callee until
 * the answer), the Via branch it was offered on, its media lines, and how media from it is learned. In a forked call
 * the caller appears once per branch, each time with its own sockets, so every branch relays on its own.
 */
public final class Party {
    private volatile String tag;
    private final String viaBranch;
    private final long createdMillis;
    private final RelayInterface iface;
    private final List<MediaSide> media = new ArrayList<>();
    private volatile boolean asymmetric;
    private volatile boolean strictSource;
    private volatile boolean mediaHandover;

    Party(String tag, String viaBranch, long createdMillis, RelayInterface iface) {
        this.tag = tag;
        this.viaBranch = viaBranch;
        this.createdMillis = createdMillis;
        this.iface = iface;
    }

    /** The line at {@code index} (0-based), created on first use. Caller holds the call's lock. */
    MediaSide media(int index) {
        while (media.size() <= index) {
            media.add(new MediaSide(this, media.size() + 1));
        }
        return media.get(index);
    }

    /** The lines so far (a copy; caller holds the call's lock). */
    List<MediaSide> mediaList() {
        return List.copyOf(media);
    }

    int mediaCount() {
        return media.size();
    }

    /** The learning mode for media from this party: {@code asymmetric} turns learning off for it. */
    Learning learning(Learning configured) {
        return asymmetric ? Learning.OFF : configured;
    }

    /** The flags of the message that carried this party's SDP. */
    void flags(SignalOptions o) {
        asymmetric = o.asymmetric();
        strictSource = o.strictSource();
        mediaHandover = o.mediaHandover();
    }

    public String tag() { return tag; }
    void tag(String t) { this.tag = t; }
    public String viaBranch() { return viaBranch; }
    public long createdMillis() { return createdMillis; }
    public RelayInterface iface() { return iface; }
    boolean strictSource() { return strictSource; }
    boolean mediaHandover() { return mediaHandover; }
    boolean asymmetric() { return asymmetric; }

    boolean hasTag(String t) {
        return t != null && t.equals(tag);
    }
}
