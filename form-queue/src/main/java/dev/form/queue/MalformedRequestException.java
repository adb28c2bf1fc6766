package dev.form.queue;

/**
 * A queued request that is not well-formed: not JSON of the expected shape, a field missing or
 * breaking its rule. {@link #field()} names the field at fault (null when the message as a whole is).
 * Such a message can never succeed, so a consumer dead-letters it with {@link #getMessage()} as the reason.
 */
public class MalformedRequestException extends RuntimeException {
    private final String field;

    public MalformedRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
