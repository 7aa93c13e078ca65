package org.sipedge.registrar.servlet;

/** A REGISTER we cannot make sense of; the message becomes the 400's reason phrase, so it names the problem. */
final class MalformedRequestException extends Exception {
    MalformedRequestException(String reason) {
        super(reason, null, false, false);
    }
}
