/**
 * Host-side preparation of hot-added resources and the host policy that confines it.
 *
 * <p>Everything here works on the service's host before (and after) the hypervisor is asked to attach
 * something: {@link dev.form.vmm.host.HostPolicy} decides which paths and PCI devices a request may use,
 * {@link dev.form.vmm.host.DiskImages} inspects and creates disk images, {@link dev.form.vmm.host.ImageClaims}
 * keeps writers of one image apart, {@link dev.form.vmm.host.VirtiofsdSupervisor} runs one virtiofsd per share,
 * {@link dev.form.vmm.host.VfioDevices} checks a PCI device can be passed through, and
 * {@link dev.form.vmm.host.ResourceIds} / {@link dev.form.vmm.host.DeviceParameters} validate ids, tags, serials
 * and queue/rate-limit settings.
 *
 * <p>Every refusal is a {@link dev.form.vmm.ApiProblem} naming the request field at fault and the rule it broke:
 * {@code invalid_input} for malformed values, {@code policy_denied} for what the host policy forbids,
 * {@code conflict} for what the host's current state (another attachment, a driver binding) forbids.
 * Nothing here keeps state about instances: the caller passes the current attachments, owners and assignments.
 */
package dev.form.vmm.host;
