/**
 * SIP digest authentication for the registrar (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760).
 *
 * <p>Entry point: {@link org.sipedge.registrar.auth.DigestAuthenticator#verify}, which turns the Authorization
 * headers of a request into an {@link org.sipedge.registrar.auth.AuthOutcome}: authorized, 401 challenge, 403 or
 * 400. The choices behind it:
 * <ul>
 *   <li><b>Both SHA-256 and MD5 are offered</b>, SHA-256 first (RFC 8760 §2.4: most preferred first). MD5 stays
 *       because most deployed SIP phones still only speak MD5. qop=auth is required, because only with it do
 *       cnonce and nonce-count exist and replays can be detected; the {@code -sess} variants are not offered.</li>
 *   <li><b>Nonces are self-validating</b>: timestamp, random bytes and an HMAC-SHA256 over both. Checking one
 *       needs no lookup, so issuing challenges to anyone costs no memory, and every node sharing the secret
 *       accepts the others' nonces. The only state is the highest nonce-count seen per nonce, which is bounded by
 *       the nonce lifetime and by a hard cap on entries; it is per node, so a replay sent to another node of a
 *       cluster within the nonce lifetime is not detected.</li>
 *   <li><b>Failures are 401, not 403</b>: a wrong password, an unknown user, a replayed or foreign nonce all
 *       produce the same fresh challenge, so clients re-prompt and an attacker cannot enumerate users. An unknown
 *       user is checked against a decoy HA1 through the same code, and responses are compared in constant time.
 *       stale=TRUE is only sent when the response was right and only the nonce was old, as RFC 7616 §3.3 asks.
 *       403 is reserved for a client that authenticated as a different user than the one it acts for.</li>
 *   <li><b>Nonce-counts are recorded only after the response is verified</b>, so a bystander who saw a nonce
 *       cannot burn a legitimate client's counts.</li>
 *   <li><b>User secrets</b> may be stored as HA1 instead of passwords; plain passwords are hashed at load time and
 *       not kept.</li>
 * </ul>
 * The Request-URI is not compared with the {@code uri} parameter here: SIP URI equality belongs to the servlet,
 * which has the parsed URIs.
 */
package org.sipedge.registrar.auth;
