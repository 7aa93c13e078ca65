package org.sipedge.registrar.core;

/** A REGISTER we cannot make sense of; the message becomes the 400's reason phrase, so it names the problem. */
public final class MalformedRegisterException extends Exception {
    public MalformedRegisterException(String reason) {
        super(reason, null, false, false);
    }
}
