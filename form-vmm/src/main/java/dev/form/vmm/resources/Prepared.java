package dev.form.vmm.resources;

import dev.form.vmm.registry.ResourceSpec;

/**
 * A resource made ready on the host: what to record and hand to the hypervisor, and how to take the
 * preparation back (delete a created image, stop a started virtiofsd) if the attach does not happen.
 */
public record Prepared(ResourceSpec spec, Runnable undo) {
    public static Prepared withoutUndo(ResourceSpec spec) {
        return new Prepared(spec, () -> { });
    }
}
