package dev.form.testkit.guest;

/** The test guest could not be built; the message says which step failed and what to do. */
public class GuestBuildException extends RuntimeException {
    public GuestBuildException(String message) {
        super(message);
    }

    public GuestBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
