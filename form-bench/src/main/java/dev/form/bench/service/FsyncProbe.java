package dev.form.bench.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How long the disk under the data directory takes to make a small write durable: the floor under any
 * request that waits for a SQLite commit with synchronous=FULL (one fsync of the WAL per commit).
 */
final class FsyncProbe {
    private FsyncProbe() {
    }

    static Latencies measure(Path dir, int samples) throws IOException {
        Path file = dir.resolve("fsync-probe.bin");
        long[] nanos = new long[samples];
        ByteBuffer page = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < samples; i++) {
                page.clear();
                ch.write(page, (long) i * page.capacity());
                long t0 = System.nanoTime();
                ch.force(false);
                nanos[i] = System.nanoTime() - t0;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return Latencies.of(nanos);
    }
}
