package dev.form.vmm.pipeline;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Crash-test hooks: when the system property {@code form.vmm.faults} lists a point (comma separated),
 * reaching it halts the JVM at once, exactly like kill -9 (no shutdown hooks, no finally blocks); a
 * write point instead makes that registry write fail, as a full disk would. Only the crash-safety
 * tests set it, in a child JVM.
 */
public final class FaultPoints {
    public static final String PROPERTY = "form.vmm.faults";
    /** Exit status of a halted JVM, so a test can tell the fault fired. */
    public static final int HALT_STATUS = 86;

    public static final String ADD_AFTER_INTENT = "add-after-intent";
    public static final String ADD_AFTER_HYPERVISOR = "add-after-hypervisor";
    /** In a batch: after one element is attached, before the next is asked for. */
    public static final String ADD_BETWEEN_ELEMENTS = "add-between-elements";
    public static final String ADD_AFTER_RESULT = "add-after-result";
    public static final String REMOVE_AFTER_INTENT = "remove-after-intent";
    public static final String REMOVE_AFTER_HYPERVISOR = "remove-after-hypervisor";
    public static final String REMOVE_AFTER_RELEASE = "remove-after-release";
    /** A write point: the add's result is not recorded although the hypervisor has attached the device. */
    public static final String ADD_RESULT_WRITE = "add-result-write";

    private static final Set<String> ARMED = Arrays.stream(System.getProperty(PROPERTY, "").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());

    private FaultPoints() {
    }

    public static void reach(String point) {
        if (!ARMED.isEmpty() && ARMED.contains(point)) {
            System.err.println("fault point " + point + " reached: halting");
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }

    /** Inside a registry write: fails it when {@code point} is armed, rolling back what it wrote. */
    public static void failWrite(String point) throws SQLException {
        if (!ARMED.isEmpty() && ARMED.contains(point)) {
            throw new SQLException("[SQLITE_FULL] database or disk is full (injected at fault point " + point + ")");
        }
    }
}
