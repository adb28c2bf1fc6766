package dev.form.vmm.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The file system type a path lies on, by its device number, from the kernel's mount table
 * ({@code /proc/self/mountinfo}), kept for a second.
 *
 * <p>Why not {@link Files#getFileStore}: on Linux it reads the whole mount table and stats every mount
 * point on every call; on the add path that was a tenth of the service's CPU. Here a path costs one stat.
 * The table is read again when a device is not in it (a file system mounted since) and once it is older
 * than {@link #MAX_AGE_NANOS}, so that a device number the kernel hands to a new mount after an unmount
 * is not judged by the old one's type for longer than that; mounting needs root on the host anyway.
 */
final class MountTypes {
    private static final long MAX_AGE_NANOS = 1_000_000_000L;
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private record Table(Map<Long, String> typeByDevice, long readAtNanos) {
    }

    private static volatile Table table;

    private MountTypes() {
    }

    /** The type of the file system {@code p} lies on; empty when it cannot be told. */
    static Optional<String> of(Path p) throws IOException {
        long dev = (Long) Files.getAttribute(p, "unix:dev");
        Table t = table;
        if (t == null || System.nanoTime() - t.readAtNanos() > MAX_AGE_NANOS || !t.typeByDevice().containsKey(dev)) {
            t = read();
            table = t;
        }
        return Optional.ofNullable(t.typeByDevice().get(dev));
    }

    private static Table read() throws IOException {
        Map<Long, String> types = new HashMap<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            // "36 35 98:0 /root /mount/point options [optional fields] - fstype source super-options"
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (f.length < 3 || dash < 0 || dash + 1 >= f.length) continue;
            String[] mm = f[2].split(":");
            if (mm.length != 2) continue;
            try {
                types.putIfAbsent(device(Long.parseLong(mm[0]), Long.parseLong(mm[1])), f[dash + 1]);
            } catch (NumberFormatException ignored) {
                // not a line of the documented shape; the others still count
            }
        }
        return new Table(Map.copyOf(types), System.nanoTime());
    }

    /** glibc's makedev: the st_dev the kernel reports for major:minor. */
    static long device(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }
}
