package dev.form.hypervisor;

/** The run state a hypervisor reports. */
public enum VmRunState {
    /** Configured but not booted (Cloud Hypervisor "Created", also after vm.shutdown). */
    CREATED, RUNNING, PAUSED, SHUTDOWN
}
