package dev.form.vmm.resources;

import dev.form.core.api.AddDeviceRequest;
import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.AddFsRequest;
import dev.form.core.api.AddResourceRequest;
import dev.form.core.model.DiskSpec;
import dev.form.core.model.ResourceKind;
import dev.form.hypervisor.HypervisorKind;
import dev.form.vmm.host.ImageIdentity;
import dev.form.vmm.registry.ResourceRecord;
import dev.form.vmm.registry.ResourceSpec;

import java.nio.file.Path;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The host side of the pipeline as the operations see it: confine paths to the host policy, inspect or
 * create images, run virtiofsd daemons, check VFIO devices, and choose ids. Every refusal is an
 * {@link dev.form.vmm.ApiProblem} naming the field. {@link PolicyHostResources} implements it over
 * {@code dev.form.vmm.host}.
 */
public interface HostResources {
    /** What the host side needs to know of the instance a resource is for. */
    record InstanceFacts(String id, int bootCpus, HypervisorKind hypervisor, boolean sharedMemory) {
    }

    /** A boot disk of some instance, to keep writers of one image apart. */
    record BootDisk(String instanceId, DiskSpec disk, String identity) {
    }

    /** Checks a given id ({@code field} names it) or, when null, generates one that no given id can take. */
    String resourceId(ResourceKind kind, String field, String given, Set<String> taken);

    /**
     * Checks the fields of an add request that need nothing from the host, so a batch is refused before
     * any of its work is done. Field names are prefixed with {@code prefix} by the caller.
     */
    void validate(InstanceFacts instance, AddResourceRequest request);

    /**
     * @param live            every live resource on the host (all instances)
     * @param removedImageCreator for an image no live row has: the instance whose removed disk had it
     *                        created by the service (it still owns it), or null; asked only for the image
     *                        the request names and its backing files
     */
    Prepared prepareDisk(InstanceFacts instance, String id, AddDiskRequest request, List<ResourceRecord> live, List<BootDisk> bootDisks,
                         Function<ImageIdentity, String> removedImageCreator);

    /** @param startDaemon false for a stopped instance: only the checks; the daemon starts with the VM */
    Prepared prepareFs(InstanceFacts instance, String id, AddFsRequest request, boolean startDaemon, List<ResourceRecord> liveOnInstance);

    Prepared prepareDevice(InstanceFacts instance, String id, AddDeviceRequest request, List<ResourceRecord> live);

    /** Brings back what a recorded resource needs on the host before its VM is re-created (a virtiofsd). */
    Prepared reactivate(String instanceId, ResourceSpec spec);

    /** After a service restart: takes over the running virtiofsd of a share; false when it is gone. */
    boolean takeOver(String instanceId, ResourceSpec spec);

    /** Releases the host side once the guest let the resource go (stops its virtiofsd). Idempotent. */
    void release(String instanceId, ResourceSpec spec);

    /** Deletes an image that the service created for the instance (delete with purge). */
    void purge(String instanceId, ResourceSpec spec);

    /** A kernel or initramfs for create: an existing file inside the image directories. */
    Path bootFile(String field, String requested);

    /** A root disk for create: confined, format detected, not written by anyone else. */
    BootDisk bootDisk(String instanceId, String field, String id, String requested, List<ResourceRecord> live, List<BootDisk> otherBootDisks);

    /** The API socket of a Cloud Hypervisor VM to adopt: inside the policy's socket directory. */
    Path adoptSocket(String field, String requested);

    /** The private run directory of an instance's hypervisor process. */
    Path runDir(String instanceId);

    /** The file that receives an instance's serial console. */
    Path consoleLog(String instanceId);
}
