package dev.form.hypervisor.cloudhypervisor.http;

import java.io.IOException;

/** The peer sent something that is not a response this client accepts (malformed, too large, chunked). */
public class HttpProtocolException extends IOException {
    public HttpProtocolException(String message) {
        super(message);
    }
}
