package dev.form.queue.kafka;

/**
 * Headers of a dead-lettered message. The message's key and value are the original bytes, untouched,
 * so an operator can inspect or re-publish it.
 */
public final class DeadLetterHeaders {
    private DeadLetterHeaders() {
    }

    /** Why it could not be processed (UTF-8 text). */
    public static final String REASON = "form-dead-letter-reason";
    /** The field at fault, when one is (UTF-8 text). */
    public static final String FIELD = "form-dead-letter-field";
    /** Where it came from: topic, partition and offset (UTF-8 text). */
    public static final String SOURCE_TOPIC = "form-source-topic";
    public static final String SOURCE_PARTITION = "form-source-partition";
    public static final String SOURCE_OFFSET = "form-source-offset";
    /** The group id of the node that dead-lettered it. */
    public static final String NODE_GROUP = "form-node-group";
}
