package dev.form.hypervisor.cloudhypervisor.http;

import java.io.IOException;

/**
 * The server closed the connection (or it broke) before sending a single byte of the response.
 * Whether the request may have been processed is told by {@link #requestDelivered()}.
 */
public class ConnectionClosedException extends IOException {

    private final boolean requestDelivered;

    public ConnectionClosedException(String message, Throwable cause, boolean requestDelivered) {
        super(message, cause);
        this.requestDelivered = requestDelivered;
    }

    /** False only when not one byte of the request reached the server: then it cannot have acted on it. */
    public boolean requestDelivered() {
        return requestDelivered;
    }
}
