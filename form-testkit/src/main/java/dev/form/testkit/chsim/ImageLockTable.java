package dev.form.testkit.chsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The OFD locks Cloud Hypervisor takes on disk images, kept for the whole JVM ("the host"): a
 * read-write attach takes the write lock, a readonly attach a shared read lock. Files are identified by
 * device and inode, so two paths to one file (hard link, symlink) conflict as they do on Linux.
 */
final class ImageLockTable {
    static final ImageLockTable HOST = new ImageLockTable();

    private record Holders(int readers, boolean writer) {
    }

    /** A held lock; release it when the last reference to the open image goes away. */
    final class Lease {
        private final Object key;
        private final boolean write;
        private boolean released;

        private Lease(Object key, boolean write) {
            this.key = key;
            this.write = write;
        }

        void release() {
            synchronized (ImageLockTable.this) {
                if (released) return;
                released = true;
                Holders h = table.get(key);
                if (h == null) return;
                Holders next = write ? new Holders(h.readers, false) : new Holders(h.readers - 1, h.writer);
                if (next.readers <= 0 && !next.writer) table.remove(key);
                else table.put(key, next);
            }
        }
    }

    private final Map<Object, Holders> table = new HashMap<>();

    /** @return the lease, or null when another holder's lock conflicts */
    synchronized Lease tryLock(Path image, boolean write) throws IOException {
        Object key = Files.readAttributes(image, BasicFileAttributes.class).fileKey();
        if (key == null) key = image.toRealPath();
        Holders h = table.getOrDefault(key, new Holders(0, false));
        if (h.writer || (write && h.readers > 0)) return null;
        table.put(key, write ? new Holders(h.readers, true) : new Holders(h.readers + 1, false));
        return new Lease(key, write);
    }
}
