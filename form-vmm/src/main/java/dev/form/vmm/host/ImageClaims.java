package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Who may use an image, decided on image identity (device + inode) over the attachments and owners the caller
 * passes in; pure logic, no state.
 *
 * <ul>
 *   <li>A writer is never attached beside any other attachment of the same image — read-only or read-write, on
 *       the same VM or another — and never while the image is in another attachment's backing chain (writing a
 *       backing file corrupts every image layered on it). Read-only beside read-only is fine. Refusals are
 *       {@code conflict} (409).</li>
 *   <li>Any attachment is refused while a writer holds the image or one of the new image's backing files.</li>
 *   <li>An image (or a file in its backing chain) created for one instance belongs to it: another instance is
 *       refused with {@code policy_denied} (403).</li>
 * </ul>
 */
public final class ImageClaims {

    private ImageClaims() {
    }

    /**
     * Refuses attaching {@code image} ({@code readonly} or not) beside {@code current} attachments.
     *
     * @param field the request field to blame (normally "path")
     */
    public static void requireAttachable(String field, ImageInfo image, boolean readonly,
                                         Collection<ImageAttachment> current) {
        requireAttachable(field, image.identity(), image.backingIdentities(), readonly, current);
    }

    /** As {@link #requireAttachable(String, ImageInfo, boolean, Collection)}, on identities alone. */
    public static void requireAttachable(String field, ImageIdentity identity, List<ImageIdentity> backing,
                                         boolean readonly, Collection<ImageAttachment> current) {
        for (ImageAttachment a : current) {
            if (a.identity().equals(identity)) {
                if (!readonly) {
                    throw ApiProblem.conflict(field, "the image is already attached " + mode(a) + " as " + who(a)
                            + "; a writable attachment is never made beside another attachment of the same image");
                }
                if (!a.readonly()) {
                    throw ApiProblem.conflict(field, "the image is attached read-write as " + who(a)
                            + "; nothing else may attach it until that disk is removed");
                }
            }
            if (!readonly && a.backing().contains(identity)) {
                throw ApiProblem.conflict(field, "the image is a backing file of " + who(a)
                        + "; it may only be attached read-only while that disk exists");
            }
            if (!a.readonly() && backing.contains(a.identity())) {
                throw ApiProblem.conflict(field, "the image's backing file " + a.path() + " is attached read-write as "
                        + who(a) + "; it cannot serve as a backing file at the same time");
            }
        }
    }

    /**
     * Refuses an image, or a file of its backing chain, that belongs to another instance.
     *
     * @param owners image identity → owning instance id, for every image the service created
     */
    /** @param ownerOf the instance an image belongs to, or null when it belongs to none */
    public static void requireNotOwnedByOther(String field, ImageInfo image, String instanceId,
                                              Function<ImageIdentity, String> ownerOf) {
        for (ImageInfo i = image; i != null; i = i.backing()) {
            String owner = ownerOf.apply(i.identity());
            if (owner != null && !owner.equals(instanceId)) {
                String what = i == image ? "the image " + i.path() : "its backing file " + i.path();
                throw ApiProblem.policyDenied(field, what + " belongs to instance " + owner
                                + "; an instance's images are never given to another instance",
                        "use an image of your own, or create one with sizeBytes");
            }
        }
    }

    private static String mode(ImageAttachment a) {
        return a.readonly() ? "read-only" : "read-write";
    }

    private static String who(ImageAttachment a) {
        return "disk '" + a.resourceId() + "' of instance " + a.instanceId();
    }
}
