package dev.form.vmm.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** What a path names on disk, from the file-type bits of its mode (symlinks not followed). */
public enum FileKind {
    MISSING("nothing"), REGULAR("a regular file"), DIRECTORY("a directory"), SYMLINK("a symbolic link"),
    SOCKET("a Unix socket"), FIFO("a FIFO"), CHAR_DEVICE("a character device"), BLOCK_DEVICE("a block device"),
    OTHER("an unknown kind of file");

    private final String description;

    FileKind(String description) {
        this.description = description;
    }

    /** "a regular file", "a block device", ... for messages. */
    public String description() {
        return description;
    }

    /** Reads the kind of {@code p} without following a final symlink; {@link #MISSING} when absent. */
    public static FileKind of(Path p) throws IOException {
        int mode;
        try {
            mode = ((Number) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (NoSuchFileException e) {
            return MISSING;
        }
        return switch (mode & 0170000) {
            case 0100000 -> REGULAR;
            case 0040000 -> DIRECTORY;
            case 0120000 -> SYMLINK;
            case 0140000 -> SOCKET;
            case 0010000 -> FIFO;
            case 0020000 -> CHAR_DEVICE;
            case 0060000 -> BLOCK_DEVICE;
            default -> OTHER;
        };
    }
}
