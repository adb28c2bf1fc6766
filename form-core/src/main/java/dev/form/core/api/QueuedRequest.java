package dev.form.core.api;

/**
 * A signed request travelling through a queue: {@code POST /v1/queue} bodies and Kafka messages.
 * It carries exactly what a direct call carries in its request line, body and signature headers,
 * so the consumer verifies it the same way. The request id is the nonce.
 *
 * @param instance   the instance's id (Kafka keys and routes by it); may be a name on the embedded queue
 * @param bodyBase64 the exact body bytes that were signed
 */
public record QueuedRequest(String instance, String method, String target, String bodyBase64,
                            String nonce, long expires, String signature) {
}
