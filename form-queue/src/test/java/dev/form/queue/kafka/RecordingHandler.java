package dev.form.queue.kafka;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.queue.MalformedRequestException;
import dev.form.queue.QueuedRequestCodec;
import dev.form.queue.QueuedRequestHandler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue handler with the service's contract in miniature: idempotent by nonce (the recorded outcome
 * comes back on redelivery), one effect per request (appended to its instance's effect log), and
 * failures on demand for the retry paths. The effect logs are what the tests inspect.
 */
final class RecordingHandler implements QueuedRequestHandler {
    final String node;
    final Map<String, RequestStatusView> outcomes = new ConcurrentHashMap<>();
    final Map<String, List<String>> effectsByInstance = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> failuresToInject = new ConcurrentHashMap<>();
    /** Per instance: how long each of its requests takes to apply (a slow hypervisor, a guest slow to let go). */
    final Map<String, Duration> slowInstances = new ConcurrentHashMap<>();
    /** When each request's effect was applied, by nonce. */
    final Map<String, Long> appliedAtNanos = new ConcurrentHashMap<>();

    RecordingHandler(String node) {
        this.node = node;
    }

    @Override
    public RequestStatusView handle(QueuedRequest r) throws InterruptedException {
        calls.computeIfAbsent(r.nonce(), k -> new AtomicInteger()).incrementAndGet();
        AtomicInteger fail = failuresToInject.get(r.nonce());
        if (fail != null && fail.getAndDecrement() > 0) throw new IllegalStateException("registry unavailable (injected)");
        Duration slow = slowInstances.get(r.instance());
        if (slow != null) Thread.sleep(slow.toMillis());
        if (!r.target().startsWith("/v1/instances/" + r.instance() + "/")) {
            throw new MalformedRequestException("instance", "target names another instance than " + r.instance());
        }
        synchronized (this) {
            RequestStatusView known = outcomes.get(r.nonce());
            if (known != null) return known;
            String body = new String(QueuedRequestCodec.body(r), StandardCharsets.UTF_8);
            effectsByInstance.computeIfAbsent(r.instance(), k -> Collections.synchronizedList(new ArrayList<>())).add(body);
            RequestStatusView done = new RequestStatusView(r.nonce(), "done", r.instance(), r.method(), r.target(), 201,
                    JsonNodeFactory.instance.objectNode().put("node", node).put("body", body), Instant.now(), Instant.now());
            outcomes.put(r.nonce(), done);
            appliedAtNanos.put(r.nonce(), System.nanoTime());
            return done;
        }
    }

    int effectCount() {
        return effectsByInstance.values().stream().mapToInt(List::size).sum();
    }
}
