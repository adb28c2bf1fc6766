package dev.form.vmm.pipeline;

import dev.form.core.api.ErrorCode;
import dev.form.core.auth.AuthenticationException;
import dev.form.core.auth.RequestVerifier;
import dev.form.core.auth.VerifiedRequest;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.registry.NonceStore;
import dev.form.vmm.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The single entry point of every request, from HTTP or from a queue: route, authenticate (the
 * signed-request protocol), apply the nonce rule (a recorded outcome is returned again for the very
 * same request, anything else under a used nonce is a replay), run the route, and record the outcome
 * under the nonce — in the same transaction as the route's effect when the route commits one.
 *
 * <p>Outcomes are recorded for every answer except 401 (the request was not shown to be genuine),
 * 500, 503 and 504 (the service's own failure or an answer the hypervisor did not give: nothing is
 * settled, and reconciliation records the outcome of an open intent later).
 */
public final class RequestDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    private final Registry registry;
    private final RequestVerifier directVerifier;
    private final RequestVerifier queueVerifier;
    /** Most literal first; each with its pattern split once, not on every request. */
    private final List<SplitRoute> routes = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> inFlight = new ConcurrentHashMap<>();
    private final Duration duplicateWait;

    /**
     * @param directMaxExpiry how far ahead a direct request's expiry may lie (5 minutes by default)
     * @param queueMaxExpiry  how far ahead a queued request's expiry may lie (24 hours by default)
     */
    public RequestDispatcher(Registry registry, Clock clock, Duration directMaxExpiry, Duration queueMaxExpiry, List<Route> routes) {
        this.registry = registry;
        this.directVerifier = new RequestVerifier(clock, directMaxExpiry);
        this.queueVerifier = new RequestVerifier(clock, queueMaxExpiry);
        this.duplicateWait = Duration.ofMinutes(2);
        register(routes);
    }

    public RequestDispatcher(Registry registry, Clock clock, List<Route> routes) {
        this(registry, clock, RequestVerifier.DIRECT_MAX_FUTURE_SKEW, RequestVerifier.QUEUED_MAX_FUTURE_SKEW, routes);
    }

    /** Adds routes (e.g. the queue's); a more literal pattern wins over a parameterised one. */
    public void register(List<Route> more) {
        List<SplitRoute> all = new ArrayList<>(routes);
        for (Route r : more) all.add(new SplitRoute(r, r.segments()));
        all.sort(Comparator.comparingInt((SplitRoute r) -> r.route().literalWeight()).reversed());
        routes.clear();
        routes.addAll(all);
    }

    private record SplitRoute(Route route, List<String> segments) {
    }

    public ApiResponse dispatch(ApiRequest req) {
        try {
            return route(req);
        } catch (ApiProblem p) {
            return ApiResponse.error(p);
        } catch (RuntimeException e) {
            LOG.error("request {} {} failed inside the service", req.method(), req.target(), e);
            return ApiResponse.error(new ApiProblem(ErrorCode.INTERNAL, "the service failed internally; see its log"));
        }
    }

    /** The outcome recorded under a request id (nonce), if that request has finished. */
    public Optional<ApiResponse> recordedOutcome(String requestId) {
        return registry.read(c -> NonceStore.find(c, requestId))
                .map(n -> new ApiResponse(n.status(), n.contentType(), n.body()));
    }

    private ApiResponse route(ApiRequest req) {
        List<String> segments = PathParts.decodedSegments(req.target());
        Route match = null;
        Map<String, String> params = null;
        boolean pathKnown = false;
        for (SplitRoute r : routes) {
            Map<String, String> p = match(r.segments(), segments);
            if (p == null) continue;
            pathKnown = true;
            if (r.route().method().equals(req.method())) {
                match = r.route();
                params = p;
                break;
            }
        }
        if (match == null) {
            throw ApiProblem.notFound(pathKnown ? req.method() + " is not allowed on " + PathParts.pathOf(req.target())
                    : "no such route: " + req.method() + " " + PathParts.pathOf(req.target()));
        }
        Map<String, String> query = PathParts.query(req.target());
        if (!match.signed()) return run(match, new Call(req, null, params, query, registry));

        VerifiedRequest verified = authenticate(req);
        CountDownLatch mine = new CountDownLatch(1);
        CountDownLatch other;
        while ((other = inFlight.putIfAbsent(verified.nonce(), mine)) != null) {
            try {
                if (!other.await(duplicateWait.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new ApiProblem(ErrorCode.CONFLICT, "a request with nonce " + verified.nonce() + " is still being processed; ask again later");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiProblem(ErrorCode.INTERNAL, "interrupted while waiting for an identical request");
            }
        }
        try {
            Optional<NonceStore.SeenNonce> seen = registry.read(c -> NonceStore.find(c, verified.nonce()));
            if (seen.isPresent()) {
                NonceStore.SeenNonce n = seen.get();
                if (n.sameRequest(req.method(), req.target(), verified.bodySha256()) && n.caller().equalsIgnoreCase(verified.address())) {
                    return new ApiResponse(n.status(), n.contentType(), n.body());
                }
                throw new ApiProblem(ErrorCode.UNAUTHENTICATED, "unauthenticated (replayed): nonce " + verified.nonce()
                        + " was already used for a different request", null,
                        "sign every new request with a fresh random nonce", null, null);
            }
            Call call = new Call(req, verified, params, query, registry);
            ApiResponse response = run(match, call);
            if (!call.recorded() && recordable(response.status())) {
                try {
                    registry.write(c -> {
                        call.recordIn(c, response);
                        return null;
                    });
                } catch (RuntimeException e) {
                    LOG.error("could not record the outcome of request {}", verified.nonce(), e);
                    return ApiResponse.error(new ApiProblem(ErrorCode.INTERNAL, "the service could not record the request's outcome; see its log"));
                }
            }
            return response;
        } finally {
            inFlight.remove(verified.nonce(), mine);
            mine.countDown();
        }
    }

    private static boolean recordable(int status) {
        return status != 401 && status != 500 && status != 503 && status != 504;
    }

    private VerifiedRequest authenticate(ApiRequest req) {
        if (req.headers() == null) {
            AuthenticationException why = req.headerProblem() != null ? req.headerProblem()
                    : new AuthenticationException(AuthenticationException.Reason.MISSING, "the request is not signed (Form-Nonce, Form-Expires and Form-Signature are required)");
            throw unauthenticated(why);
        }
        try {
            RequestVerifier verifier = req.origin() == RequestOrigin.QUEUE ? queueVerifier : directVerifier;
            return verifier.verify(req.method(), req.target(), req.body(), req.headers());
        } catch (AuthenticationException e) {
            throw unauthenticated(e);
        }
    }

    private static ApiProblem unauthenticated(AuthenticationException e) {
        return new ApiProblem(ErrorCode.UNAUTHENTICATED, "unauthenticated (" + e.reason().wire() + "): " + e.getMessage(), null,
                "sign the request with your key (Form-Nonce, Form-Expires, Form-Signature) as docs/protocol.md describes", null, null);
    }

    private static ApiResponse run(Route route, Call call) {
        try {
            return route.handler().handle(call);
        } catch (ApiProblem p) {
            return ApiResponse.error(p);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static Map<String, String> match(List<String> pattern, List<String> actual) {
        if (pattern.size() != actual.size()) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (p.startsWith("{") && p.endsWith("}")) params.put(p.substring(1, p.length() - 1), actual.get(i));
            else if (!p.equals(actual.get(i))) return null;
        }
        return params;
    }
}
