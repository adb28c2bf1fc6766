package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which file an image is, independent of the path it was reached by: the device and inode numbers.
 * Two paths (hard links, bind mounts, symlinks) naming the same file have the same identity, so
 * ownership and writer exclusion are decided on this, never on path strings.
 *
 * <p>{@link #toString()} gives {@code dev:ino}, and {@link #parse(String)} reads it back (for the registry).
 */
public record ImageIdentity(long device, long inode) {

    /** Reads the identity of an existing file (symlinks followed). */
    public static ImageIdentity of(Path file) throws IOException {
        Map<String, Object> attrs = Files.readAttributes(file, "unix:dev,ino");
        return new ImageIdentity(((Number) attrs.get("dev")).longValue(), ((Number) attrs.get("ino")).longValue());
    }

    /** Like {@link #of(Path)}, reporting an unreadable file as a problem with {@code field}. */
    static ImageIdentity of(String field, Path file) {
        try {
            Map<String, Object> attrs = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return new ImageIdentity(((Number) attrs.get("dev")).longValue(), ((Number) attrs.get("ino")).longValue());
        } catch (IOException e) {
            throw ApiProblem.invalid(field, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Parses the {@code dev:ino} form written by {@link #toString()}. */
    public static ImageIdentity parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 1) throw new IllegalArgumentException("image identity must be dev:ino, got '" + text + "'");
        return new ImageIdentity(Long.parseLong(text.substring(0, colon)), Long.parseLong(text.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return device + ":" + inode;
    }
}
