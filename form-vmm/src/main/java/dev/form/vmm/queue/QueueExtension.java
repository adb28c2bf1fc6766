package dev.form.vmm.queue;

import dev.form.core.auth.RequestVerifier;
import dev.form.queue.QueueKind;
import dev.form.vmm.VmmContext;
import dev.form.vmm.VmmExtension;
import dev.form.vmm.pipeline.Route;
import dev.form.vmm.registry.Migration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The queue inside the service: the embedded queue (its table, {@code POST /v1/queue},
 * {@code GET /v1/requests/{id}}, its processor) and, when the config selects Kafka, this node's
 * consumer of the request topic. Found by the service through ServiceLoader.
 */
public final class QueueExtension implements VmmExtension {
    private static final Logger LOG = LoggerFactory.getLogger(QueueExtension.class);

    private EmbeddedQueueProcessor processor;
    private KafkaQueueNode kafka;

    @Override
    public List<Migration> migrations() {
        return QueueMigrations.all();
    }

    @Override
    public List<Route> start(VmmContext context) {
        QueueSettings settings = QueueSettings.from(context.queueConfig());
        RequestVerifier verifier = new RequestVerifier(context.clock(), RequestVerifier.QUEUED_MAX_FUTURE_SKEW);
        RequestCompletions completions = new RequestCompletions();
        QueuedRequestExecution execution = new QueuedRequestExecution(context.registry(), context.dispatcher(), context.clock(), completions);
        processor = new EmbeddedQueueProcessor(context.registry(), execution, context.clock(), settings.workers());
        int open = context.registry().read(QueuedRequestStore::countOpen);
        if (open > 0) LOG.info("embedded queue: {} request(s) waiting or interrupted; processing them now", open);
        processor.start();
        processor.wake();
        if (settings.kind() == QueueKind.KAFKA) {
            kafka = new KafkaQueueNode(context.registry(), verifier, execution, context.clock(), settings.kafka(), settings.consumer());
            kafka.start();
            LOG.info("Kafka queue: consuming {} on {} as group {}", settings.kafka().requestTopic(), settings.kafka().bootstrapServers(),
                    settings.consumer().groupId());
        }
        return new QueueRoutes(context.registry(), context.clock(), verifier, processor, completions).routes();
    }

    /** This node's Kafka consumer (its counters), when Kafka is configured. */
    public java.util.Optional<dev.form.queue.kafka.KafkaRequestConsumer> kafkaConsumer() {
        return java.util.Optional.ofNullable(kafka).map(KafkaQueueNode::consumer);
    }

    @Override
    public void close() {
        if (kafka != null) kafka.close();
        if (processor != null) processor.close();
    }
}
