package dev.form.hypervisor.cloudhypervisor.http;

import java.io.IOException;

/**
 * The server closed the connection (or it broke) before sending a single byte of the response.
 * The request may or may not have been processed.
 */
public class ConnectionClosedException extends IOException {
    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
