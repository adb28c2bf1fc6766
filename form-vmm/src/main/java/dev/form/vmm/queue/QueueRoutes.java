package dev.form.vmm.queue;

import dev.form.core.api.ErrorCode;
import dev.form.core.api.QueuedRequest;
import dev.form.core.auth.AuthenticationException;
import dev.form.core.auth.Operation;
import dev.form.core.auth.Permission;
import dev.form.core.auth.RequestVerifier;
import dev.form.core.auth.VerifiedRequest;
import dev.form.core.model.AccessLevel;
import dev.form.queue.MalformedRequestException;
import dev.form.queue.QueuedRequestCodec;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.pipeline.Call;
import dev.form.vmm.pipeline.Route;
import dev.form.vmm.registry.GrantStore;
import dev.form.vmm.registry.InstanceRecord;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.registry.Registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/queue} and {@code GET /v1/requests/{id}}.
 *
 * <p>POST carries no signature of its own: its body is a signed request, and that signature is what
 * authenticates the call. It already binds method, target, body, nonce and expiry; an outer signature
 * over the envelope would add nothing an attacker could change (the one unsigned field, {@code instance},
 * must name the instance the signed target names: {@link #lane}), and it cost a second secp256k1
 * recovery per request. Form-* headers sent on the POST are therefore not looked at. The queued request
 * is verified at once, exactly as a direct call would be (401 then and there), and stored in one durable
 * commit before 202 is answered.
 *
 * <p>What the dispatcher does for signed routes is done here for the queued request's own nonce:
 * looking for it and storing it happen in one transaction of the registry's single writer, so
 * concurrent identical submissions store one row (the others are answered its status) and the request
 * runs once; the same request id with anything different, queued or used by a direct call, is a
 * replay (401). The nonce store and the audit trail are written when the request runs, by the
 * dispatcher and the route it reaches, as for a direct call.
 */
final class QueueRoutes {
    private final Registry registry;
    private final RequestVerifier verifier;
    private final Clock clock;
    private static final long MAX_WAIT_MS = 60_000;
    private final EmbeddedQueueProcessor processor;
    private final RequestCompletions completions;

    QueueRoutes(Registry registry, Clock clock, RequestVerifier verifier, EmbeddedQueueProcessor processor, RequestCompletions completions) {
        this.registry = registry;
        this.verifier = verifier;
        this.clock = clock;
        this.processor = processor;
        this.completions = completions;
    }

    List<Route> routes() {
        return List.of(
                // Unsigned at the door: accept() verifies the signed request the body carries.
                Route.open("POST", "/v1/queue", this::accept),
                Route.signed("GET", "/v1/requests/{id}", this::status));
    }

    /** {@code ?waitMs=N} (at most 60000): answers as soon as the request finishes, or after N ms with its state then. */
    private ApiResponse status(Call call) {
        String id = call.path("id");
        String wait = call.query("waitMs");
        long waitMs = 0;
        if (wait != null) {
            try {
                waitMs = Long.parseLong(wait);
            } catch (NumberFormatException e) {
                waitMs = -1;
            }
            if (waitMs < 0 || waitMs > MAX_WAIT_MS) throw ApiProblem.invalid("waitMs", "waitMs must be a whole number of milliseconds from 0 to " + MAX_WAIT_MS);
        }
        if (waitMs == 0) return status(call, id);
        var done = completions.watch(id);
        try {
            ApiResponse now = status(call, id);
            if (now.status() != 200 || finished(now)) return now;
            try {
                done.get(waitMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // answer with the state as it is
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
            return status(call, id);
        } finally {
            completions.forget(id, done);
        }
    }

    private static boolean finished(ApiResponse r) {
        String state = RequestStatusViews.outcomeJson(r.contentType(), r.body()).path("state").asText("");
        return state.equals(QueuedRequestRecord.DONE) || state.equals(QueuedRequestRecord.FAILED);
    }

    private ApiResponse accept(Call call) {
        QueuedRequest request;
        byte[] body;
        try {
            request = QueuedRequestCodec.decode(call.request().body());
            body = QueuedRequestCodec.body(request);
        } catch (MalformedRequestException e) {
            throw ApiProblem.invalid(e.field() == null ? "body" : e.field(), e.getMessage());
        }
        VerifiedRequest verified;
        try {
            verified = verifier.verify(request.method(), request.target(), body, new dev.form.core.auth.SignedHeaders(
                    request.nonce(), request.expires(), request.signature(), request.address()));
        } catch (AuthenticationException e) {
            throw new ApiProblem(ErrorCode.UNAUTHENTICATED, "unauthenticated (" + e.reason().wire() + "): the queued request's signature: "
                    + e.getMessage(), null, "sign the queued request itself (method, target, body, nonce, expiry) as for a direct call", null, null);
        }
        String ref = QueuedRequestCodec.targetInstance(request.target());
        // One transaction of the single writer: the look-up and the insert cannot interleave with an
        // identical submission's, and the row is durable before 202 is answered. The answer's JSON is
        // written after the commit, not by the writer thread that every request's commit waits for.
        QueuedRequestRecord accepted = registry.write(c -> {
            Optional<QueuedRequestRecord> existing = QueuedRequestStore.find(c, verified.nonce());
            if (existing.isPresent()) {
                QueuedRequestRecord r = existing.get();
                if (r.sameRequest(request.method(), request.target(), verified.bodySha256()) && r.signer().equalsIgnoreCase(verified.address())) {
                    return r;
                }
                throw replay(verified.nonce());
            }
            Optional<NonceStore.SeenNonce> seen = NonceStore.find(c, verified.nonce());
            if (seen.isPresent() && !(seen.get().sameRequest(request.method(), request.target(), verified.bodySha256())
                    && seen.get().caller().equalsIgnoreCase(verified.address()))) {
                throw replay(verified.nonce());
            }
            String lane = lane(c, ref, request.instance());
            Instant now = clock.instant();
            QueuedRequestRecord r = new QueuedRequestRecord(0, verified.nonce(), lane, request.instance(), request.method(), request.target(),
                    body, verified.bodySha256(), request.expires(), request.signature(), verified.address(), "embedded",
                    QueuedRequestRecord.QUEUED, null, null, null, now, null, null, 0);
            QueuedRequestStore.insert(c, r);
            return r;
        });
        QueueFaultPoints.reach(QueueFaultPoints.AFTER_ACCEPT);
        ApiResponse answer = ApiResponse.json(202, RequestStatusViews.of(accepted));
        processor.accepted(accepted.lane()); // last: the answer is ready before a worker can take the request
        return answer;
    }

    /** The instance id both the signed target and the message's instance field resolve to. */
    static String lane(Connection c, String targetRef, String instanceField) throws SQLException {
        Optional<String> byTarget = InstanceStore.idByRef(c, targetRef);
        if (byTarget.isEmpty()) {
            throw ApiProblem.notFound("no instance '" + targetRef + "' on this host (named by the queued request's target)");
        }
        String id = byTarget.get();
        if (!instanceField.equals(targetRef)) {
            Optional<String> byField = InstanceStore.idByRef(c, instanceField);
            if (byField.isEmpty() || !byField.get().equals(id)) {
                throw ApiProblem.invalid("instance", "instance '" + instanceField + "' is not the instance the signed target names ('"
                        + targetRef + "'); they must name the same instance");
            }
        }
        return id;
    }

    private ApiResponse status(Call call, String requestId) {
        return registry.read(c -> {
            Optional<QueuedRequestRecord> row = QueuedRequestStore.find(c, requestId);
            if (row.isPresent()) {
                QueuedRequestRecord r = row.get();
                requireReader(c, call.caller(), r.signer(), r.lane());
                return ApiResponse.json(200, RequestStatusViews.of(r));
            }
            // Not queued here, but perhaps a direct request whose answer its sender lost.
            Optional<NonceStore.SeenNonce> seen = NonceStore.find(c, requestId);
            if (seen.isPresent() && seen.get().caller().equalsIgnoreCase(call.caller())) {
                NonceStore.SeenNonce n = seen.get();
                return ApiResponse.json(200, RequestStatusViews.finished(n.nonce(), QueuedRequestCodec.targetInstance(n.target()), n.method(),
                        n.target(), new ApiResponse(n.status(), n.contentType(), n.body()), null, null));
            }
            throw ApiProblem.notFound("no request with id " + requestId + " on this host");
        });
    }

    /** The signer of a request may read it; so may anyone with ReadOnly or more on its instance. */
    private static void requireReader(Connection c, String caller, String signer, String instanceId) throws SQLException {
        if (caller.equalsIgnoreCase(signer)) return;
        Optional<InstanceRecord> instance = InstanceStore.byId(c, instanceId);
        AccessLevel level = null;
        if (instance.isPresent()) {
            level = instance.get().owner().equalsIgnoreCase(caller) ? AccessLevel.OWNER
                    : GrantStore.levelOf(c, instanceId, caller).orElse(null);
        }
        if (!Permission.allows(level, Operation.VIEW)) {
            throw new ApiProblem(ErrorCode.FORBIDDEN, "forbidden: " + caller + " neither signed this request nor holds "
                    + AccessLevel.READ_ONLY.wireName() + " or more on its instance", null,
                    "ask with the key that signed the request, or for a grant on the instance", null, null);
        }
    }

    private static ApiProblem replay(String nonce) {
        return new ApiProblem(ErrorCode.UNAUTHENTICATED, "unauthenticated (replayed): request id " + nonce
                + " was already used for a different request", null, "sign every new request with a fresh random nonce", null, null);
    }
}
