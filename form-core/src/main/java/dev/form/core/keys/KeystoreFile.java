package dev.form.core.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Keystore files on disk: read with a size bound, created owner-only (0600) and never overwritten. */
public final class KeystoreFile {
    private static final int MAX_SIZE = 1 << 20;
    private static final DateTimeFormatter GETH_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private KeystoreFile() {
    }

    /** @throws KeyException IO naming the file; MALFORMED_KEYSTORE when it is larger than any keystore */
    public static String read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(MAX_SIZE + 1);
            if (data.length > MAX_SIZE) {
                throw new KeyException(KeyException.Reason.MALFORMED_KEYSTORE,
                        "malformed keystore: " + file + " is larger than 1 MiB, not a keystore");
            }
            return new String(data, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KeyException(KeyException.Reason.IO, "keystore file " + file + " does not exist");
        } catch (IOException e) {
            throw new KeyException(KeyException.Reason.IO, "cannot read keystore file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@code file} with mode 0600 (on POSIX file systems) and writes the keystore into it. An
     * existing file is never replaced: it may hold the only copy of another key.
     *
     * @throws KeyException IO when the file exists or cannot be written
     */
    public static void create(Path file, String json) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (Files.getFileStore(parent).supportsFileAttributeView("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, json, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new KeyException(KeyException.Reason.IO, "keystore file " + file + " already exists; not overwriting it");
        } catch (IOException e) {
            throw new KeyException(KeyException.Reason.IO, "cannot write keystore file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file name geth gives a keystore: {@code UTC--<time>--<address in lower case, no 0x>}. */
    public static String standardName(String address, Instant created) {
        String hex = address.startsWith("0x") ? address.substring(2) : address;
        return "UTC--" + GETH_TIME.format(created) + "--" + hex.toLowerCase(Locale.ROOT);
    }
}
