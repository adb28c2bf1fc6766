package dev.form.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine. On a developer's machine a missing prerequisite skips the
 * test with the reason; under CI=true it fails, because CI is meant to have everything.
 */
public final class Prerequisites {
    private Prerequisites() {
    }

    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or, on CI, fails) the calling test unless {@code present}. */
    public static void require(boolean present, String what) {
        if (present) return;
        String message = "missing prerequisite: " + what;
        if (onCi()) Assertions.fail(message + " (CI=true: .ci/run must provide it)");
        Assumptions.abort(message);
    }
}
