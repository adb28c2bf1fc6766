package dev.form.cli.http;

import dev.form.cli.CliFailure;
import dev.form.core.api.ErrorBody;
import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.RequestSigner;
import dev.form.core.auth.SignedHeaders;
import dev.form.core.keys.Credentials;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Talks to one form service. Every request except health and the queue's POST (whose body is a signed
 * request) is signed over exactly the bytes and the target
 * (path and query) that go on the wire; the credentials are loaded only when a request needs them.
 */
public final class ServiceClient {
    /** How long a signature stays valid: long enough for clock skew and a slow network, short against replay. */
    public static final Duration SIGNATURE_TTL = Duration.ofSeconds(120);

    private final URI base;
    private final Supplier<Credentials> credentials;
    private final Duration requestTimeout;
    private final PrintWriter debug;
    private Credentials loaded;

    /**
     * @param base           scheme://host:port
     * @param credentials    loads the caller's key on first use
     * @param requestTimeout bound on one exchange
     * @param debug          where to trace exchanges, or null
     */
    public ServiceClient(URI base, Supplier<Credentials> credentials, Duration requestTimeout, PrintWriter debug) {
        this.base = base;
        this.credentials = credentials;
        this.requestTimeout = requestTimeout;
        this.debug = debug;
    }

    public URI base() {
        return base;
    }

    public Credentials credentials() {
        if (loaded == null) loaded = credentials.get();
        return loaded;
    }

    /**
     * Serializes a wire object exactly once, so the signed bytes are the sent bytes (the shared mapper's bytes,
     * written without building a mapper where {@link StreamingJson} can).
     */
    public static byte[] body(Object value) {
        return StreamingJson.write(value);
    }

    /** A signed request; answers 2xx or throws {@link ServiceError} / an unreachable {@link CliFailure}. */
    public ServiceResponse send(String method, String target, byte[] body) {
        SignedHeaders headers = RequestSigner.sign(credentials(), method, target, body, SIGNATURE_TTL);
        return exchange(method, target, body, headers.asMap());
    }

    /** An unsigned request (health only). */
    public ServiceResponse sendUnsigned(String method, String target) {
        return exchange(method, target, null, Map.of());
    }

    /**
     * An unsigned request with a body: for {@code POST /v1/queue}, whose body is itself a signed request
     * (the service verifies that signature and ignores any on the POST).
     */
    public ServiceResponse sendUnsigned(String method, String target, byte[] body) {
        return exchange(method, target, body, Map.of());
    }

    /** The same signed request a direct call would send, for a queue. */
    public QueuedRequest signForQueue(String instance, String method, String target, byte[] body) {
        return RequestSigner.signQueued(credentials(), instance, method, target, body, queueTtl());
    }

    /** Queued requests may wait behind others: they get a longer life than direct calls (the service allows 24 h). */
    public static Duration queueTtl() {
        return Duration.ofHours(1);
    }

    private ServiceResponse exchange(String method, String target, byte[] body, Map<String, String> signed) {
        URI uri = URI.create(base + target);
        boolean hasBody = body != null && body.length > 0;
        if (debug != null) {
            debug.println("> " + method + " " + uri + (hasBody ? " " + body.length + " bytes" : ""));
            debug.flush();
        }
        int status;
        byte[] answer;
        try {
            // HttpURLConnection rather than java.net.http.HttpClient: the latter sets up TLS (the JDK's trust
            // store) even for plain HTTP, which a short-lived CLI pays for on every start.
            HttpURLConnection conn = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            conn.setConnectTimeout(5_000);
            conn.setReadTimeout((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()));
            conn.setInstanceFollowRedirects(false);
            conn.setUseCaches(false);
            conn.setRequestMethod(method);
            conn.setRequestProperty("Accept", "application/json");
            signed.forEach(conn::setRequestProperty);
            if (hasBody || method.equals("POST") || method.equals("PUT")) {
                byte[] bytes = hasBody ? body : new byte[0];
                if (hasBody) conn.setRequestProperty("Content-Type", "application/json");
                conn.setDoOutput(true);
                // Not setFixedLengthStreamingMode: in streaming mode HttpURLConnection takes a 401 for an
                // authentication challenge it cannot retry and drops the answer's body, so the user would
                // see "HTTP 401" instead of the service's reason (expired, bad_signature, replayed).
                // Bodies are small; buffering them costs nothing.
                try (OutputStream os = conn.getOutputStream()) {
                    os.write(bytes);
                }
            }
            status = conn.getResponseCode();
            InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream();
            answer = in == null ? new byte[0] : readAll(in);
        } catch (SocketTimeoutException e) {
            throw unreachable("the form service at " + base + " did not answer within "
                    + (e.getMessage() != null && e.getMessage().contains("connect") ? "5" : Long.toString(requestTimeout.toSeconds())) + " s", e);
        } catch (ConnectException | UnknownHostException | NoRouteToHostException e) {
            throw unreachable("cannot reach the form service at " + base + ": " + (e instanceof UnknownHostException ? "unknown host"
                    : "connection refused"), e);
        } catch (IOException e) {
            throw unreachable("cannot talk to the form service at " + base + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        if (debug != null) {
            debug.println("< " + status + " " + answer.length + " bytes");
            debug.flush();
        }
        if (status >= 200 && status < 300) return new ServiceResponse(status, answer);
        throw new ServiceError(status, errorBody(status, answer));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static CliFailure unreachable(String message, Throwable cause) {
        return new CliFailure(CliFailure.UNREACHABLE, message,
                "start it with 'form vmm serve', or point --host or FORM_HOST at a running service", "unreachable", cause);
    }

    static ErrorBody errorBody(int status, byte[] body) {
        try {
            ErrorBody parsed = StreamingJson.treeToRecord(StreamingJson.readTree(body), ErrorBody.class);
            if (parsed.code() != null) return parsed;
        } catch (IOException | IllegalArgumentException ignored) {
            // not the service's error document: describe the bare status below
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        if (text.length() > 200) text = text.substring(0, 200) + "...";
        return new ErrorBody("http_" + status, "the service answered HTTP " + status + (text.isEmpty() ? "" : ": " + text),
                null, null, null);
    }
}
