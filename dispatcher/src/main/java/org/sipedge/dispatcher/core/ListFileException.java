package org.sipedge.dispatcher.core;

/** A list file that cannot be used; the message names the file and the line. */
public final class ListFileException extends Exception {
    private final String file;
    private final int line;

    public ListFileException(String file, int line, String problem) {
        super(file + (line > 0 ? " line " + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    /** 1-based; 0 when the problem is the whole file. */
    public int line() {
        return line;
    }
}
