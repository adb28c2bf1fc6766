package dev.form.vmm.queue;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets {@code GET /v1/requests/{id}?waitMs=N} wait for a request to finish instead of polling: the
 * execution signals each recorded outcome here. Only waiters are remembered, never outcomes (those are
 * in the registry), so nothing grows without bound.
 */
final class RequestCompletions {
    private final Map<String, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();

    /** A future completed when {@code requestId} finishes; call {@link #forget} when done waiting. */
    CompletableFuture<Void> watch(String requestId) {
        return waiters.computeIfAbsent(requestId, k -> new CompletableFuture<>());
    }

    void forget(String requestId, CompletableFuture<Void> f) {
        waiters.remove(requestId, f);
    }

    void finished(String requestId) {
        CompletableFuture<Void> f = waiters.remove(requestId);
        if (f != null) f.complete(null);
    }
}
