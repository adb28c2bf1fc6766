package dev.form.cli.manage;

import dev.form.cli.CliFailure;
import dev.form.cli.config.CliConfig;
import dev.form.cli.http.ServiceClient;
import dev.form.core.api.ApiPaths;
import dev.form.core.api.InstanceView;
import dev.form.core.api.QueuedRequest;
import dev.form.core.api.RequestStatusView;
import dev.form.queue.QueueKind;

/**
 * Sends a signed request through the queue the config names: the service's embedded queue
 * ({@code POST /v1/queue}, itself unsigned: the request it carries is) or a Kafka request topic. Either
 * way the request id is the signature's nonce.
 */
public final class QueueSubmitter {
    private final ServiceClient client;
    private final CliConfig config;

    public QueueSubmitter(ServiceClient client, CliConfig config) {
        this.client = client;
        this.config = config;
    }

    public QueueKind kind() {
        try {
            return QueueKind.fromWire(config.queue() == null ? null : config.queue().kind());
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("config queue.kind: " + e.getMessage(), null);
        }
    }

    /** @return the request id */
    public String submit(String instanceRef, String instanceSegment, String method, String target, byte[] body) {
        if (kind() == QueueKind.KAFKA) {
            requireKafkaClient();
            // Kafka keys and routes by the instance id: a name is resolved first, and an unknown one refused here.
            String id = client.send("GET", ApiPaths.instance(instanceSegment), null).as(InstanceView.class).id();
            QueuedRequest request = client.signForQueue(id, method, target, body);
            return KafkaSubmission.submit(config.queue(), request);
        }
        QueuedRequest request = client.signForQueue(instanceRef, method, target, body);
        // No signature on the POST itself: the queued request's own signature is what the service checks.
        RequestStatusView accepted = client.sendUnsigned("POST", ApiPaths.QUEUE, ServiceClient.body(request)).as(RequestStatusView.class);
        return accepted.requestId() != null ? accepted.requestId() : request.nonce();
    }

    /**
     * Kafka's client library is in the service-libs jar, which bin/form puts on the class path for --queue only:
     * a class path without it (java run by hand on the launcher jar) gets this instead of a NoClassDefFoundError.
     */
    private static void requireKafkaClient() {
        try {
            Class.forName("org.apache.kafka.clients.producer.KafkaProducer", false, QueueSubmitter.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new CliFailure(CliFailure.SERVICE_FAILURE, "config queue.kind is kafka, but Kafka's client library is not on the class path",
                    "run form through bin/form, or add form-cli-<version>-service-libs.jar after the launcher jar with -cp");
        }
    }
}
