package dev.form.cli;

/**
 * A failure the user must see as one line (and a hint), with the exit code the CLI documents:
 * 0 ok, 1 the service's own failure, 2 usage or invalid input, 3 refused, 4 not found, 5 conflict or
 * wrong state, 6 hypervisor refused, 7 service unreachable or timed out.
 */
public class CliFailure extends RuntimeException {
    public static final int SERVICE_FAILURE = 1;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;
    public static final int NOT_FOUND = 4;
    public static final int CONFLICT = 5;
    public static final int HYPERVISOR = 6;
    public static final int UNREACHABLE = 7;

    private final int exitCode;
    private final String hint;
    private final String code;
    private boolean resultPrinted;

    public CliFailure(int exitCode, String message, String hint) {
        this(exitCode, message, hint, null, null);
    }

    public CliFailure(int exitCode, String message, String hint, String code, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.hint = hint;
        this.code = code;
    }

    public static CliFailure usage(String message, String hint) {
        return new CliFailure(USAGE, message, hint, "usage", null);
    }

    /**
     * Marks that the command already printed its --json result (a failed queued request's status, say), so
     * the reporter adds only the stderr line, keeping stdout one JSON document.
     */
    public CliFailure resultAlreadyPrinted() {
        this.resultPrinted = true;
        return this;
    }

    public boolean isResultPrinted() {
        return resultPrinted;
    }

    public int exitCode() {
        return exitCode;
    }

    /** What to try next; may be null. */
    public String hint() {
        return hint;
    }

    /** A stable machine-readable code for --json (the service's error code where it came from the service). */
    public String code() {
        return code;
    }
}
