package dev.form.vmm.queue;

import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.core.auth.AuthenticationException;
import dev.form.core.auth.RequestVerifier;
import dev.form.core.auth.VerifiedRequest;
import dev.form.queue.MalformedRequestException;
import dev.form.queue.QueuedRequestCodec;
import dev.form.queue.QueuedRequestHandler;
import dev.form.queue.kafka.KafkaQueueConfig;
import dev.form.queue.kafka.KafkaRequestConsumer;
import dev.form.vmm.ApiProblem;
import dev.form.vmm.pipeline.ApiResponse;
import dev.form.vmm.registry.InstanceStore;
import dev.form.vmm.registry.Registry;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * This node's part in a Kafka-queued fleet: consumes every request, applies those for instances in
 * its own registry through the same execution as the embedded queue (so {@code GET /v1/requests/{id}}
 * answers here too), and lets {@link KafkaRequestConsumer} publish each outcome and commit.
 *
 * <p>The message is never trusted: its signature is verified first, exactly as a direct call's. A
 * request that fails verification (tampered, expired, not signed) gets a {@code failed} 401 outcome on
 * the result topic but is not stored, so a forged message cannot take a genuine request's id.
 */
final class KafkaQueueNode implements QueuedRequestHandler, AutoCloseable {
    private final Registry registry;
    private final RequestVerifier verifier;
    private final QueuedRequestExecution execution;
    private final Clock clock;
    private final KafkaRequestConsumer consumer;

    KafkaQueueNode(Registry registry, RequestVerifier verifier, QueuedRequestExecution execution, Clock clock,
                   KafkaQueueConfig config, KafkaRequestConsumer.Settings settings) {
        this.registry = registry;
        this.verifier = verifier;
        this.execution = execution;
        this.clock = clock;
        this.consumer = new KafkaRequestConsumer(config, settings, this::owns, this);
    }

    void start() {
        consumer.start();
    }

    KafkaRequestConsumer consumer() {
        return consumer;
    }

    private boolean owns(String instanceId) {
        return registry.read(c -> InstanceStore.byId(c, instanceId).isPresent());
    }

    @Override
    public RequestStatusView handle(QueuedRequest request) {
        Instant now = clock.instant();
        VerifiedRequest verified;
        try {
            verified = verifier.verify(request);
        } catch (AuthenticationException e) {
            ApiProblem p = new ApiProblem(dev.form.core.api.ErrorCode.UNAUTHENTICATED, "unauthenticated (" + e.reason().wire() + "): "
                    + e.getMessage(), null, "sign the queued request itself as for a direct call", null, null);
            return RequestStatusViews.finished(request.nonce(), request.instance(), request.method(), request.target(),
                    ApiResponse.error(p), now, now);
        }
        QueuedRequestRecord row = registry.write(c -> {
            Optional<QueuedRequestRecord> existing = QueuedRequestStore.find(c, verified.nonce());
            if (existing.isPresent()) return existing.get();
            String lane;
            try {
                lane = QueueRoutes.lane(c, QueuedRequestCodec.targetInstance(request.target()), request.instance());
            } catch (ApiProblem p) {
                throw new MalformedRequestException(p.field() == null ? "target" : p.field(), p.getMessage());
            }
            if (!lane.equals(request.instance())) {
                throw new MalformedRequestException("instance", "instance must be the instance id '" + lane + "', not '" + request.instance() + "'");
            }
            QueuedRequestRecord r = new QueuedRequestRecord(0, verified.nonce(), lane, request.instance(), request.method(), request.target(),
                    QueuedRequestCodec.body(request), verified.bodySha256(), request.expires(), request.signature(), verified.address(), "kafka",
                    QueuedRequestRecord.RUNNING, null, null, null, now, now, null, 1);
            QueuedRequestStore.insert(c, r);
            return QueuedRequestStore.find(c, verified.nonce()).orElseThrow();
        });
        if (!row.sameRequest(request.method(), request.target(), verified.bodySha256()) || !row.signer().equalsIgnoreCase(verified.address())) {
            ApiProblem p = new ApiProblem(dev.form.core.api.ErrorCode.UNAUTHENTICATED, "unauthenticated (replayed): request id "
                    + verified.nonce() + " was already used for a different request", null, "sign every new request with a fresh random nonce", null, null);
            return RequestStatusViews.finished(request.nonce(), request.instance(), request.method(), request.target(), ApiResponse.error(p), now, now);
        }
        if (row.finished()) return RequestStatusViews.of(row);
        return RequestStatusViews.of(execution.run(row));
    }

    @Override
    public void close() {
        consumer.close();
    }
}
