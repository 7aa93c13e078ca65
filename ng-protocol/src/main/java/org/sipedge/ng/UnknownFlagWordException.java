package org.sipedge.ng;

/** A flag string contains a word that {@link FlagWords} does not know; the message names the word. */
public final class UnknownFlagWordException extends IllegalArgumentException {
    private final String word;

    public UnknownFlagWordException(String word, String problem) {
        super("flag word '" + word + "': " + problem);
        this.word = word;
    }

    /** The offending word, as written. */
    public String word() {
        return word;
    }
}
