package dev.form.hypervisor.cloudhypervisor.http;

import java.io.IOException;

/** No complete response arrived within the call's time limit; the connection has been dropped. */
public class ResponseTimeoutException extends IOException {
    public ResponseTimeoutException(String message) {
        super(message);
    }
}
