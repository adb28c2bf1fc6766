package dev.form.vmm.host;

import dev.form.core.model.ImageFormat;
import dev.form.vmm.ApiProblem;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.HashSet;
import java.util.function.Function;
import java.util.Set;

/**
 * Disk images on the host: inspection (format by magic, virtual size, backing chain, identity), sparse creation,
 * and {@link #prepare} that combines them with the host policy and {@link ImageClaims} for an add-disk request.
 *
 * <p>Format detection trusts the file's first bytes. A guest can write a qcow2 header into a raw disk it owns; the
 * next attach then sees qcow2, so every backing file is held to the host policy and the ownership rules as well —
 * a guest can never reach a file it could not have attached directly. Backing files must moreover be plain paths
 * (no {@code json:}/{@code nbd:} protocol prefixes), declared raw or qcow2 when a format is declared, and not vmdk or
 * qed files (formats that name further files) when QEMU would have to probe them.
 */
public final class DiskImages {

    /** Longest qcow2 backing chain followed; deeper chains are refused. */
    public static final int MAX_BACKING_DEPTH = 16;

    private final HostPolicy policy;

    public DiskImages(HostPolicy policy) {
        this.policy = policy;
    }

    /**
     * Inspects an image that already passed {@link HostPolicy#existingImage} (its canonical path). Problems are
     * reported on the field {@code "path"}.
     */
    public ImageInfo inspect(Path image) {
        return inspect("path", image);
    }

    /** As {@link #inspect(Path)}, blaming {@code field}. */
    public ImageInfo inspect(String field, Path image) {
        return inspect(field, image, 0, new HashSet<>(), null);
    }

    /**
     * @param declaredFormat the backing format a qcow2 header names for this file ("raw", "qcow2"), or null when the
     *                       file is the top image or its format is left to probing
     */
    private ImageInfo inspect(String field, Path image, int depth, Set<ImageIdentity> seen, String declaredFormat) {
        ImageIdentity identity = ImageIdentity.of(field, image);
        if (!seen.add(identity)) {
            throw ApiProblem.invalid(field, "the backing chain of " + image + " loops back onto itself");
        }
        ImageHeaders.Header header;
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            header = ImageHeaders.read(field, ch, image.toString());
        } catch (CharacterCodingException e) {
            throw ApiProblem.invalid(field, image + " is not a usable image: its backing file name is not valid UTF-8");
        } catch (NoSuchFileException e) {
            throw ApiProblem.invalid(field, image + " does not exist");
        } catch (IOException e) {
            throw ApiProblem.invalid(field, "cannot read " + image + ": " + e.getMessage());
        }
        if ("raw".equals(declaredFormat)) {
            // the overlay says raw: QEMU reads the bytes as they are, whatever magic they start with
            try {
                return new ImageInfo(image, ImageFormat.RAW, Files.size(image), identity, null);
            } catch (IOException e) {
                throw ApiProblem.invalid(field, "cannot read " + image + ": " + e.getMessage());
            }
        }
        if (depth > 0 && declaredFormat == null && header.foreignFormat() != null) {
            // with no declared format QEMU probes the backing file, and these formats name further files
            throw ApiProblem.policyDenied(field, "the backing file " + image + " looks like a " + header.foreignFormat()
                    + " image, which refers to other files; only raw and qcow2 backing files are accepted", null);
        }
        ImageInfo backing = null;
        if (header.backingName() != null) {
            if (depth + 1 >= MAX_BACKING_DEPTH) {
                throw ApiProblem.invalid(field, image + " has a backing chain deeper than " + MAX_BACKING_DEPTH + " files");
            }
            String format = header.backingFormat();
            if (format != null && !format.equals("raw") && !format.equals("qcow2")) {
                throw ApiProblem.policyDenied(field, image + " declares its backing file to be '" + PciAddress.printable(format)
                        + "'; only raw and qcow2 backing files are accepted", "rebase it with qemu-img rebase -F raw|qcow2");
            }
            if (hasProtocolPrefix(header.backingName())) {
                throw ApiProblem.policyDenied(field, image + " names its backing file '" + PciAddress.printable(header.backingName())
                        + "', which QEMU would read as a protocol (json:, nbd:, ...); only plain file paths are accepted", null);
            }
            Path backingPath = policy.backingFile(field, image, header.backingName());
            backing = inspect(field, backingPath, depth + 1, seen, format);
        }
        return new ImageInfo(image, header.format(), header.virtualSize(), identity, backing);
    }

    /**
     * Creates a raw sparse image of {@code bytes} at {@code image} (a canonical path from
     * {@link HostPolicy#imageLocation}), mode 0600, creating missing parent directories (0700) inside the policy.
     * Never overwrites: an existing file is a {@code conflict} on "path".
     *
     * @return the inspected new image
     */
    public ImageInfo createSparse(Path image, long bytes) {
        requireCreatableSize(bytes);
        if (!policy.imageLocation("path", image.toString()).equals(image)) {
            throw ApiProblem.invalid("path", image + " is not a canonical path; pass what HostPolicy.imageLocation returned");
        }
        Path parent = image.getParent();
        try {
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw ApiProblem.invalid("path", "cannot create the directory " + parent + ": " + e.getMessage());
        }
        // Re-check after creating directories: a symlink planted meanwhile must not carry the file elsewhere.
        Path checked = policy.imageLocation("path", image.toString());
        if (!checked.equals(image)) {
            throw ApiProblem.policyDenied("path", image + " changed while it was being created (now resolves to "
                    + checked + ")", null);
        }
        try (FileChannel ch = FileChannel.open(image, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw ApiProblem.conflict("path", image + " already exists; an existing image is never overwritten");
        } catch (IOException e) {
            throw ApiProblem.invalid("path", "cannot create " + image + ": " + e.getMessage());
        }
        // ftruncate extends without allocating blocks: the image stays sparse until the guest writes.
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(bytes);
            file.getFD().sync();
        } catch (IOException e) {
            deleteQuietly(image);
            throw ApiProblem.invalid("sizeBytes", "cannot create a sparse image of " + bytes + " bytes at " + image
                    + ": " + e.getMessage());
        }
        return inspect("path", image);
    }

    /**
     * Everything the host does for an add-disk request before the hypervisor is called: confine the path, create
     * the image when it is absent and {@code sizeBytes} is given, inspect it (backing files included), refuse
     * another instance's image, and refuse attachments {@link ImageClaims} forbids.
     *
     * @param instanceId  the instance the disk is for
     * @param requested   the request's "path" (relative paths resolve under {@link HostPolicy#volumesDir()})
     * @param sizeBytes   the request's "sizeBytes": create a sparse raw image of this size when the path does not
     *                    exist; when it does exist it must be null or equal to the image's virtual size
     * @param readonly    whether the VM gets read-only access
     * @param ownerOf     image identity → the instance owning it (the service created it for that one), or null
     * @param attachments every current image attachment on the host (all instances)
     */
    public PreparedImage prepare(String instanceId, String requested, Long sizeBytes, boolean readonly,
                                 Function<ImageIdentity, String> ownerOf, Collection<ImageAttachment> attachments) {
        Path location = policy.imageLocation("path", requested);
        boolean exists = Files.exists(location, LinkOption.NOFOLLOW_LINKS);
        if (!exists) {
            if (sizeBytes == null) {
                throw ApiProblem.invalid("path", location + " does not exist",
                        "give sizeBytes to create a sparse raw image there");
            }
            return new PreparedImage(createSparse(location, sizeBytes), true);
        }
        ImageInfo info = inspect("path", location);
        if (sizeBytes != null && sizeBytes != info.virtualSize()) {
            throw ApiProblem.invalid("sizeBytes", location + " already exists with a virtual size of " + info.virtualSize()
                    + " bytes; sizeBytes only applies when the image is created", "omit sizeBytes to attach it as it is");
        }
        ImageClaims.requireNotOwnedByOther("path", info, instanceId, ownerOf);
        ImageClaims.requireAttachable("path", info, readonly, attachments);
        return new PreparedImage(info, false);
    }

    /** Takes back {@link #prepare}'s effect after a failed attach: deletes the image if prepare created it. */
    public void undo(PreparedImage prepared) {
        if (prepared.created()) deleteQuietly(prepared.info().path());
    }

    /** QEMU treats "name:rest" as protocol "name" when the colon comes before any '/'. */
    static boolean hasProtocolPrefix(String name) {
        int colon = name.indexOf(':');
        int slash = name.indexOf('/');
        return colon > 0 && (slash < 0 || colon < slash);
    }

    /** Sizes a created image may have: positive and a whole number of 512-byte sectors. */
    static void requireCreatableSize(long bytes) {
        if (bytes <= 0) throw ApiProblem.invalid("sizeBytes", "sizeBytes must be positive, got " + bytes);
        if (bytes % 512 != 0) {
            throw ApiProblem.invalid("sizeBytes", "sizeBytes must be a multiple of 512 (whole sectors), got " + bytes);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // nothing more can be done; the caller reports the original failure
        }
    }
}
