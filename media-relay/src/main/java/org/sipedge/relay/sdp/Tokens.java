package org.sipedge.relay.sdp;

/**
 * Splits a line value at single spaces the way rtpengine's str_token_sep does: two spaces make an empty token, a
 * trailing token without a space after it is taken whole, and there is no token once nothing is left.
 */
final class Tokens {
    private String rest;

    Tokens(String value) {
        this.rest = value;
    }

    /** The next token, or null when nothing is left. */
    String next() {
        if (rest == null || rest.isEmpty()) {
            return null;
        }
        int space = rest.indexOf(' ');
        String token;
        if (space < 0) {
            token = rest;
            rest = null;
        } else {
            token = rest.substring(0, space);
            rest = rest.substring(space + 1);
        }
        return token;
    }

    /** How many chars of the value the tokens taken so far (and the space after each) cover. */
    int offset(String value) {
        return value.length() - rest().length();
    }

    /** What follows the tokens taken so far ("" when nothing). */
    String rest() {
        return rest == null ? "" : rest;
    }
}
