package dev.form.vmm.registry;

/** The registry could not be read or written: a failure of the service itself, never of the caller. */
public class RegistryException extends RuntimeException {
    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
