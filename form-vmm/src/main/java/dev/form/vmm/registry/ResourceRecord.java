package dev.form.vmm.registry;

import dev.form.core.model.ResourceState;

import java.time.Instant;

/**
 * One hot-added resource of an instance.
 *
 * @param intentId the request id (nonce) whose intent created or last changed the row; reconciliation
 *                 records that request's outcome when it settles the row
 */
public record ResourceRecord(long seq, String instanceId, String id, ResourceState state, ResourceSpec spec,
                             String pciAddress, String intentId, String caller, Instant createdAt) {
    public ResourceRecord withState(ResourceState newState, String newPciAddress) {
        return new ResourceRecord(seq, instanceId, id, newState, spec, newPciAddress, intentId, caller, createdAt);
    }
}
