package dev.form.vmm.resources;

/** Finishes removals the guest has not completed yet, in the background. */
@FunctionalInterface
public interface ResourceFinisher {
    /** Asks for the pending removals of this instance to be checked soon. */
    void watch(String instanceId);
}
