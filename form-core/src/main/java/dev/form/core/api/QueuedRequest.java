package dev.form.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A signed request travelling through a queue: {@code POST /v1/queue} bodies and Kafka messages.
 * It carries exactly what a direct call carries in its request line, body and signature headers,
 * so the consumer verifies it the same way. The request id is the nonce.
 *
 * @param instance   the instance's id (Kafka keys and routes by it); may be a name on the embedded queue
 * @param bodyBase64 the exact body bytes that were signed
 * @param address    the signer's address as the client claims it (the {@code Form-Address} of a direct
 *                   call). A queue is never trusted: with the claimed address, a message altered on the
 *                   way (its body, target or method changed) recovers to another address and is refused as
 *                   unauthenticated, instead of being attributed to an unknown signer. The queues require it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueuedRequest(String instance, String method, String target, String bodyBase64,
                            String nonce, long expires, String signature, String address) {

    /** Without a claimed address; the queues refuse such a request as malformed. */
    public QueuedRequest(String instance, String method, String target, String bodyBase64,
                         String nonce, long expires, String signature) {
        this(instance, method, target, bodyBase64, nonce, expires, signature, null);
    }
}
