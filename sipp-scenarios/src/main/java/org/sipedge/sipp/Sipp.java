package org.sipedge.sipp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs <a href="https://sipp.sourceforge.net/">SIPp</a> ({@code sipp}, tested with 3.6.1) from
 * Java: a bundled or file scenario against a remote SIP endpoint, or as a server, and returns its
 * statistics as a {@link SippResult}.
 *
 * <pre>{@code
 * SippResult r = Sipp.scenario("register")
 *         .remote("127.0.0.1", registrarPort)
 *         .transport(SippTransport.TCP)
 *         .injection(List.of("alice;example.com;300", "bob;example.com"), true)
 *         .calls(2)
 *         .timeout(Duration.ofSeconds(30))
 *         .run();
 * assertTrue(r.ok(), r::describe);
 * }</pre>
 *
 * <p>Every run gets its own temporary directory (scenario copy, injection CSV, statistics file,
 * error log, stdout/stderr) and, unless given, its own free ports for SIP ({@code -p}), RTP
 * ({@code -mp}) and the control socket ({@code -cp}), so runs can happen in parallel. sipp always
 * runs in the foreground with {@code -nostdin} (it never reads the terminal), bound to the local IP
 * ({@code -bind_local}, control socket on {@code -ci} too), with
 * {@code -default_behaviors all,-bye} ({@link #DEFAULT_BEHAVIORS}: an unexpected message or a
 * timeout fails the call, but sipp sends no BYE/CANCEL to abort it, which makes no sense for
 * REGISTER; note that {@code -nd} would instead make sipp <em>ignore</em> unexpected messages and
 * wait), with {@code -trace_stat -stf <file> -fd 1}
 * and {@code -trace_err -error_file <file>}. Every run is bounded in time: sipp's own
 * {@code -timeout} (default {@link #DEFAULT_TIMEOUT}) with {@code -timeout_error}, and a hard
 * limit in Java (timeout + {@link #HARD_TIMEOUT_GRACE}) after which the process is destroyed
 * through its {@link Process} handle.
 */
public final class Sipp {

    /** The message of the exception thrown when sipp is not installed. */
    public static final String NOT_FOUND_MESSAGE =
            "sipp not found: install it with `apt-get install -y sip-tester` (./sipedge test does this)";

    /** System property naming the sipp executable to use instead of the one on the PATH. */
    public static final String BINARY_PROPERTY = "sipedge.sipp.binary";

    /** Classpath folder of the bundled scenarios. */
    public static final String SCENARIO_RESOURCE_DIR = "org/sipedge/sipp/scenarios/";

    /** Names of the bundled scenarios, for {@link #scenario(String)}. */
    public static final List<String> SCENARIOS = List.of(
            "register", "register-bench", "reregister", "unregister",
            "register-423", "register-auth", "register-auth-bad");

    /** System property: when {@code true}, run directories are never deleted. */
    public static final String KEEP_PROPERTY = "sipedge.sipp.keep";

    /** sipp's {@code -timeout} when none is set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** How long after sipp's own timeout the harness destroys the process. */
    public static final Duration HARD_TIMEOUT_GRACE = Duration.ofSeconds(15);

    /**
     * The {@code -default_behaviors} the harness passes unless told otherwise: all of sipp's
     * default behaviours (abort a call on an unexpected message, answer pings) except sending
     * BYE/CANCEL for aborted calls.
     */
    public static final String DEFAULT_BEHAVIORS = "all,-bye";

    /**
     * The TLS version the harness pins for TLS runs ({@code -tls_version 1.2}): sipp 3.6.1 built
     * against OpenSSL 1.1.1/3.x otherwise negotiates TLS 1.3, which it does not handle (the client
     * blocks in the handshake and fails with "Unable to send TLS message"; SIPp PR #570).
     */
    public static final String DEFAULT_TLS_VERSION = "1.2";

    /** The most characters of the error log and of stderr kept in a {@link SippResult}. */
    public static final int MAX_LOG_CHARS = 65536;

    static final String LOOPBACK = "127.0.0.1";

    private Sipp() {
    }

    // ------------------------------------------------------------------ binary

    /**
     * The sipp executable: the {@value #BINARY_PROPERTY} system property if set, else {@code sipp}
     * on the PATH.
     *
     * @throws IllegalStateException with {@link #NOT_FOUND_MESSAGE} if there is none
     */
    public static Path binary() {
        return SippBinary.binary();
    }

    /** An executable named {@code name} in one of the PATH directories. */
    static Optional<Path> findOnPath(String name) {
        return SippBinary.findOnPath(name);
    }

    /** The version line of {@code sipp -v}, e.g. {@code SIPp v3.6.1-SCTP-PCAP-RTPSTREAM}. */
    public static String version() {
        return SippBinary.version();
    }

    /**
     * Whether the installed sipp was built with TLS (OpenSSL): its version string carries
     * {@code -TLS}. Debian 12's {@code sip-tester} 3.6.1 is built WITHOUT TLS
     * ({@code SIPp v3.6.1-SCTP-PCAP-RTPSTREAM}); {@code -t l1} then fails.
     */
    public static boolean supportsTls() {
        return version().contains("-TLS");
    }

    // ------------------------------------------------------------------ entry points

    /**
     * A run of a bundled scenario, by name without {@code .xml} (see {@link #SCENARIOS}); the
     * scenario is copied out of the classpath into the run's directory.
     */
    public static Builder scenario(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.endsWith(".xml") ? name.substring(0, name.length() - 4) : name;
        if (Sipp.class.getClassLoader().getResource(SCENARIO_RESOURCE_DIR + n + ".xml") == null) {
            throw new IllegalArgumentException("no bundled sipp scenario '" + name + "'; known: " + SCENARIOS);
        }
        return new Builder(n, n, null, null);
    }

    /** A run of a scenario file ({@code -sf}). */
    public static Builder scenarioFile(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such scenario file: " + file);
        }
        String fn = file.getFileName().toString();
        return new Builder(fn.endsWith(".xml") ? fn.substring(0, fn.length() - 4) : fn, null, file, null);
    }

    /** A run of one of sipp's built-in scenarios ({@code -sn}), e.g. {@code "uac"} or {@code "uas"}. */
    public static Builder builtin(String name) {
        Objects.requireNonNull(name, "name");
        return new Builder(name, null, null, name);
    }

    /** Copies a bundled scenario ({@code name} without {@code .xml}) into {@code dir}; returns the file. */
    public static Path extractScenario(String name, Path dir) {
        String res = SCENARIO_RESOURCE_DIR + name + ".xml";
        try (InputStream in = Sipp.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled sipp scenario '" + name + "'; known: " + SCENARIOS);
            }
            Path target = dir.resolve(name + ".xml");
            Files.write(target, in.readAllBytes());
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + res, e);
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Options of a sipp run. A builder may be {@link #run() run} or {@link #start() started}
     * several times; each run gets a fresh directory and, unless fixed, fresh ports. Not thread-safe:
     * use one builder per thread.
     */
    public static final class Builder {
        final String name;
        final String resource;
        final Path file;
        final String builtin;

        String remoteHost;
        int remotePort = -1;
        SippTransport transport = SippTransport.UDP;
        String localIp = LOOPBACK;
        int localPort;
        int mediaPort;
        final Map<String, byte[]> files = new LinkedHashMap<>();
        int controlPort;
        List<String> injection;
        boolean sequential = true;
        final Map<String, String> sets = new LinkedHashMap<>();
        final Map<String, String> keys = new LinkedHashMap<>();
        Integer calls;
        Integer rate;
        Integer maxOutstanding;
        Duration timeout = DEFAULT_TIMEOUT;
        Duration recvTimeout;
        /** sipp's {@code -d}: how long a scenario's plain {@code <pause/>} lasts (uac-call: the call's talk time). */
        Duration hold = Duration.ofMillis(200);
        Path tlsCert;
        Path tlsKey;
        String tlsVersion = DEFAULT_TLS_VERSION;
        final List<String> extraArgs = new ArrayList<>();
        String defaultBehaviors = DEFAULT_BEHAVIORS;
        boolean traceMessages;
        Path baseDir;
        boolean keepWorkDir = Boolean.getBoolean(KEEP_PROPERTY);
        Duration hardTimeoutGrace = HARD_TIMEOUT_GRACE;

        private Builder(String name, String resource, Path file, String builtin) {
            this.name = name;
            this.resource = resource;
            this.file = file;
            this.builtin = builtin;
        }

        /**
         * The remote SIP endpoint (sipp's {@code remote_host[:remote_port]} argument). Without a
         * remote, sipp runs as a server waiting on {@link #localPort(int)}.
         */
        public Builder remote(String host, int port) {
            this.remoteHost = Objects.requireNonNull(host, "host");
            this.remotePort = checkPort(port);
            return this;
        }

        /** The transport ({@code -t}); default UDP. */
        public Builder transport(SippTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** The local IP ({@code -i}, also bound with {@code -bind_local}); default {@code 127.0.0.1}. */
        public Builder localIp(String ip) {
            this.localIp = Objects.requireNonNull(ip, "ip");
            return this;
        }

        /** The local SIP port ({@code -p}); default: a free port found by the harness for each run. */
        public Builder localPort(int port) {
            this.localPort = checkPort(port);
            return this;
        }

        /** The RTP port ({@code -mp}; sipp also binds port+2); default: a free one per run. */
        public Builder mediaPort(int port) {
            this.mediaPort = checkPort(port);
            return this;
        }

        /** The UDP control port ({@code -cp}); default: a free one per run (sipp's own default is 8888). */
        public Builder controlPort(int port) {
            this.controlPort = checkPort(port);
            return this;
        }

        /**
         * Injection data ({@code -inf}): one {@code ;}-separated line per call, written to a CSV
         * file whose first line is {@code SEQUENTIAL} (or {@code RANDOM} when {@code sequential} is
         * false). With more calls than lines sipp starts over at the first line. Lines must not be
         * blank (sipp stops reading at the first empty line); lines starting with {@code #} are
         * comments. When no {@link #calls(int)} is set, the run makes one call per line.
         */
        public Builder injection(List<String> csvLines, boolean sequential) {
            Objects.requireNonNull(csvLines, "csvLines");
            if (csvLines.isEmpty()) {
                throw new IllegalArgumentException("injection needs at least one line");
            }
            for (String l : csvLines) {
                if (l == null || l.isBlank() || l.contains("\n") || l.contains("\r")) {
                    throw new IllegalArgumentException("injection lines must be single, non-blank lines: '" + l + "'");
                }
            }
            this.injection = List.copyOf(csvLines);
            this.sequential = sequential;
            return this;
        }

        /**
         * Sets a global scenario variable ({@code -set var value}); the scenario must declare it in
         * {@code <Global variables="..."/>}, e.g. {@code set("domain", "example.com")} for
         * {@code register-bench}.
         */
        public Builder set(String var, String value) {
            sets.put(Objects.requireNonNull(var, "var"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets a generic keyword ({@code -key keyword value}), used as {@code [keyword]} in scenarios. */
        public Builder key(String keyword, String value) {
            keys.put(Objects.requireNonNull(keyword, "keyword"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Stop after this many calls ({@code -m}). */
        public Builder calls(int calls) {
            if (calls <= 0) {
                throw new IllegalArgumentException("calls must be > 0: " + calls);
            }
            this.calls = calls;
            return this;
        }

        /** New calls per second ({@code -r n -rp 1000}); sipp's default is 10. */
        public Builder rate(int perSecond) {
            if (perSecond <= 0) {
                throw new IllegalArgumentException("rate must be > 0: " + perSecond);
            }
            this.rate = perSecond;
            return this;
        }

        /** At most this many calls in progress at once ({@code -l}). */
        public Builder maxOutstanding(int calls) {
            if (calls <= 0) {
                throw new IllegalArgumentException("maxOutstanding must be > 0: " + calls);
            }
            this.maxOutstanding = calls;
            return this;
        }

        /**
         * Bounds the run: sipp's {@code -timeout} (whole seconds, rounded up; sipp arms
         * {@code alarm(seconds)}) with {@code -timeout_error}, and a hard limit in Java of
         * timeout + {@link Sipp#HARD_TIMEOUT_GRACE} after which the process is destroyed. Default
         * {@link Sipp#DEFAULT_TIMEOUT}. Calls still running at the global timeout are counted neither
         * as successful nor failed ({@link SippResult#unfinishedCalls()}); use
         * {@link #recvTimeout(Duration)} to fail individual calls.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * How long the call stays up in scenarios whose pause has no length of its own (uac-call: between its ACK and
         * its BYE); sipp's {@code -d}. Default 200 ms.
         */
        public Builder hold(Duration hold) {
            if (hold.isNegative()) {
                throw new IllegalArgumentException("hold must not be negative: " + hold);
            }
            this.hold = hold;
            return this;
        }

        /** Per-call receive timeout ({@code -recv_timeout <ms>}): a call waiting longer fails (FailedTimeoutOnRecv). */
        public Builder recvTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("recvTimeout must be positive: " + timeout);
            }
            this.recvTimeout = timeout;
            return this;
        }

        /**
         * The PEM certificate and unencrypted PEM private key for TLS ({@code -tls_cert},
         * {@code -tls_key}). sipp 3.6.1 needs both even as a client; when the transport is TLS and
         * none is given, the harness generates a self-signed pair ({@link SelfSignedCert}).
         */
        public Builder tlsCert(Path cert, Path key) {
            this.tlsCert = Objects.requireNonNull(cert, "cert");
            this.tlsKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * sipp's {@code -tls_version} for TLS runs ({@code "1.0"}, {@code "1.1"}, {@code "1.2"}),
         * default {@link Sipp#DEFAULT_TLS_VERSION}; {@code null} lets OpenSSL negotiate.
         */
        public Builder tlsVersion(String version) {
            this.tlsVersion = version;
            return this;
        }

        /** More sipp arguments, appended as given (e.g. {@code "-auth_uri", "example.com"}). */
        public Builder extraArgs(String... args) {
            for (String a : args) {
                extraArgs.add(Objects.requireNonNull(a, "extra arg"));
            }
            return this;
        }

        /**
         * sipp's {@code -default_behaviors}, default {@link Sipp#DEFAULT_BEHAVIORS}
         * ({@code "all,-bye"}). {@code "all"} also sends BYE/CANCEL for aborted calls;
         * {@code "none"} (like {@code -nd}) makes sipp ignore unexpected messages and keep waiting.
         */
        public Builder defaultBehaviors(String spec) {
            Objects.requireNonNull(spec, "spec");
            if (spec.isBlank()) {
                throw new IllegalArgumentException("empty default behaviors");
            }
            this.defaultBehaviors = spec;
            return this;
        }

        /** Also log every SIP message ({@code -trace_msg}) into {@code messages.log} in the run directory. */
        public Builder traceMessages(boolean on) {
            this.traceMessages = on;
            return this;
        }

        /**
         * A file sipp finds in its working directory under {@code name} (e.g. the audio an {@code rtp_stream}
         * action plays: sipp does not expand keywords in that attribute, so scenarios name a relative file).
         */
        public Builder withFile(String name, byte[] content) {
            if (name.contains("/") || name.startsWith(".")) {
                throw new IllegalArgumentException("a plain file name, not a path: " + name);
            }
            files.put(name, content.clone());
            return this;
        }

        /** Where the per-run directories are created; default the system temporary directory. */
        public Builder workDirIn(Path dir) {
            this.baseDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Whether to keep the run directory of a successful run; by default it is deleted when the
         * JVM exits ({@code -D}{@value Sipp#KEEP_PROPERTY}{@code =true} keeps all). Failed runs always keep theirs.
         */
        public Builder keepWorkDir(boolean keep) {
            this.keepWorkDir = keep;
            return this;
        }

        /** How long after sipp's {@code -timeout} the harness destroys the process (default {@link Sipp#HARD_TIMEOUT_GRACE}). */
        Builder hardTimeoutGrace(Duration grace) {
            this.hardTimeoutGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** Runs sipp to completion (or to the timeout) and returns the result. */
        public SippResult run() {
            return start().await();
        }

        /**
         * Starts sipp and returns once it has bound its sockets (it writes its first statistics row
         * after opening them), or has exited. When sipp cannot bind an auto-chosen port (exit code
         * 254, another process took it) it is restarted with new ports (at most 4 attempts).
         */
        public SippProcess start() {
            return SippLaunch.start(this);
        }

        private static int checkPort(int port) {
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("bad port " + port);
            }
            return port;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Sipp.Builder[%s, %s, remote=%s:%d]", name, transport, remoteHost, remotePort);
        }
    }
}
