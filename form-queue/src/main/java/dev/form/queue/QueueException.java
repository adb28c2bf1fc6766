package dev.form.queue;

/** The queue could not take or deliver something; the message says where and why. */
public class QueueException extends RuntimeException {
    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }

    public QueueException(String message) {
        super(message);
    }
}
