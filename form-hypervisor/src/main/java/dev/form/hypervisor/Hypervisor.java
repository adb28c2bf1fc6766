package dev.form.hypervisor;

/**
 * One kind of hypervisor on this host. It launches VM processes and re-attaches to the ones that
 * outlived a restart of the service.
 */
public interface Hypervisor {

    HypervisorKind kind();

    /**
     * Starts a new hypervisor process for one VM, creates and boots the VM with every resource in
     * the spec, and returns once the VM runs. The process must outlive the calling JVM.
     */
    RunningVm launch(VmLaunchSpec spec) throws HypervisorException;

    /**
     * Connects to a VM process started earlier (by this service before a restart, or by someone
     * else for adoption), from what {@link RunningVm#endpoint()} returned then.
     *
     * @throws HypervisorException of kind {@link HypervisorException.Kind#UNAVAILABLE} when no process answers
     */
    RunningVm reattach(VmEndpoint endpoint) throws HypervisorException;
}
