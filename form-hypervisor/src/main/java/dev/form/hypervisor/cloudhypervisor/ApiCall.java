package dev.form.hypervisor.cloudhypervisor;

/** The Cloud Hypervisor API calls form makes, with their HTTP method. */
public enum ApiCall {
    VMM_PING("vmm.ping", "GET"),
    VM_CREATE("vm.create", "PUT"),
    VM_BOOT("vm.boot", "PUT"),
    VM_INFO("vm.info", "GET"),
    VM_ADD_DISK("vm.add-disk", "PUT"),
    VM_ADD_FS("vm.add-fs", "PUT"),
    VM_ADD_DEVICE("vm.add-device", "PUT"),
    VM_REMOVE_DEVICE("vm.remove-device", "PUT"),
    VM_RESIZE("vm.resize", "PUT"),
    VM_SHUTDOWN("vm.shutdown", "PUT"),
    VM_POWER_BUTTON("vm.power-button", "PUT"),
    VM_PAUSE("vm.pause", "PUT"),
    VM_RESUME("vm.resume", "PUT"),
    VM_DELETE("vm.delete", "PUT"),
    VMM_SHUTDOWN("vmm.shutdown", "PUT");

    private final String action;
    private final String method;

    ApiCall(String action, String method) {
        this.action = action;
        this.method = method;
    }

    /** The name Cloud Hypervisor gives it, e.g. {@code vm.add-disk}. */
    public String action() {
        return action;
    }

    public String method() {
        return method;
    }

    public String path() {
        return "/api/v1/" + action;
    }
}
