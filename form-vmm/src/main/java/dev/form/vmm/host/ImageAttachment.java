package dev.form.vmm.host;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One current use of an image by a VM, as the caller knows it from its registry: which instance and resource,
 * the image's identity, whether the VM may write, and the identities of its backing chain (read by the VM, never
 * written).
 *
 * @param path     for messages only; identity decides
 * @param backing  identities of the backing chain ({@link ImageInfo#backingIdentities()}); empty when none
 */
public record ImageAttachment(String instanceId, String resourceId, Path path, ImageIdentity identity,
                              boolean readonly, List<ImageIdentity> backing) {
    public ImageAttachment {
        Objects.requireNonNull(identity, "identity");
        backing = backing == null ? List.of() : List.copyOf(backing);
    }

    /** An attachment of an image without a backing file. */
    public ImageAttachment(String instanceId, String resourceId, Path path, ImageIdentity identity, boolean readonly) {
        this(instanceId, resourceId, path, identity, readonly, List.of());
    }
}
