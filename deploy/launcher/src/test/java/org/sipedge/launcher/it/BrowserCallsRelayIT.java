package org.sipedge.launcher.it;

/**
 * {@link BrowserCallsIT}, every check, with SIP Edge's own media relay (in the node, the default of
 * {@code ./sipedge run}) in place of rtpengine: no rtpengine runs. Browsers reach the relay's ICE-lite candidate,
 * make their DTLS-SRTP handshake with it, and every media packet goes through its ports (checked from the browsers'
 * getStats); the plain phone (sipp) gets RTP/AVP without ICE or fingerprint lines.
 */
class BrowserCallsRelayIT extends BrowserCallsIT {
    @Override
    String media() {
        return "relay";
    }
}
