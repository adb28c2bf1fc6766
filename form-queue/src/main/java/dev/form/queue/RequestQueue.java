package dev.form.queue;

import dev.form.core.api.QueuedRequest;

/**
 * Where a client hands a signed request for asynchronous processing. Implementations deliver it
 * durably (or fail with a {@link QueueException}); the request id is always the request's nonce, so the
 * requester can ask for its outcome later.
 */
public interface RequestQueue extends AutoCloseable {

    /**
     * Delivers {@code request} to the queue and returns its request id once the queue has it durably.
     *
     * @throws MalformedRequestException when the request is not well-formed (nothing was sent)
     * @throws QueueException            when the queue did not take it
     */
    String submit(QueuedRequest request);

    @Override
    void close();
}
