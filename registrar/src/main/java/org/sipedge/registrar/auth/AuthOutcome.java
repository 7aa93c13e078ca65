package org.sipedge.registrar.auth;

import java.util.List;
import java.util.Objects;

/** What the registrar should do with a request, as decided by {@link DigestAuthenticator#verify}. */
public sealed interface AuthOutcome
        permits AuthOutcome.Authorized, AuthOutcome.Challenge, AuthOutcome.Forbidden, AuthOutcome.BadRequest {

    /** The credentials are valid, fresh and belong to the expected user: process the request. */
    record Authorized(String username) implements AuthOutcome {
        public Authorized {
            Objects.requireNonNull(username, "username");
        }
    }

    /**
     * Answer 401 with one WWW-Authenticate header per challenge, in list order (most preferred first).
     * Deliberately carries no reason: a missing, wrong or unknown-user credential must all look the same.
     */
    record Challenge(List<DigestChallenge> challenges, boolean stale) implements AuthOutcome {
        public Challenge {
            challenges = List.copyOf(challenges);
        }
    }

    /** Answer 403: the client proved who it is, and that user may not do this. */
    record Forbidden(String reason) implements AuthOutcome {
        public Forbidden {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Answer 400 with this reason: the Authorization header is malformed. */
    record BadRequest(String reason) implements AuthOutcome {
        public BadRequest {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
