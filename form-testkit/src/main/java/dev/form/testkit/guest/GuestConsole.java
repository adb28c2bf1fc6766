package dev.form.testkit.guest;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Follows a VM's serial console file and waits for lines. Each await consumes the line it
 * matched, so awaiting the same marker twice waits for two occurrences; every other line stays
 * available to later awaits, whatever order the guest printed them in.
 */
public final class GuestConsole {

    private static final Duration POLL = Duration.ofMillis(5);

    private final Path file;
    private long offset;
    private Object fileKey;
    /** Bytes after the last newline: kept as bytes so a UTF-8 character split across reads stays whole. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private final List<String> pending = new ArrayList<>();
    private final List<String> history = new ArrayList<>();

    private GuestConsole(Path file, long offset) {
        this.file = file;
        this.offset = offset;
        try {
            this.fileKey = Files.exists(file) ? Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey() : null;
        } catch (IOException e) {
            this.fileKey = null;
        }
    }

    /** Reads the file from its beginning. */
    public static GuestConsole fromStart(Path file) {
        return new GuestConsole(file, 0);
    }

    /** Ignores what the file holds now: only lines written later count. */
    public static GuestConsole fromEnd(Path file) {
        long size;
        try {
            size = Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            size = 0;
        }
        return new GuestConsole(file, size);
    }

    public Path file() {
        return file;
    }

    /** Waits for a line containing {@code substring} and returns it. */
    public String await(String substring, Duration timeout) {
        return await(line -> line.contains(substring), "a line containing '" + substring + "'", timeout);
    }

    /** Waits for a guest marker of this event with the given field values, e.g. ("disk-added", "serial", "S1"). */
    public GuestLine awaitEvent(String event, Duration timeout, String... keyValues) {
        String what = "FORM-GUEST " + event + " " + String.join(" ", keyValues);
        String line = await(l -> GuestLine.parse(l).map(g -> g.is(event, keyValues)).orElse(false), what, timeout);
        return GuestLine.parse(line).orElseThrow();
    }

    public synchronized String await(Predicate<String> match, String description, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            readNew();
            for (int i = 0; i < pending.size(); i++) {
                if (match.test(pending.get(i))) {
                    String line = pending.get(i);
                    pending.remove(i);
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ConsoleTimeoutException("no " + description + " on the console " + file + " within "
                        + timeout.toMillis() + " ms; its last lines:\n  " + String.join("\n  ", tail(25)));
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConsoleTimeoutException("interrupted while waiting for " + description);
            }
        }
    }

    /** Every complete line read so far, consumed or not. */
    public synchronized List<String> lines() {
        readNew();
        return List.copyOf(history);
    }

    private List<String> tail(int n) {
        return history.subList(Math.max(0, history.size() - n), history.size());
    }

    private void readNew() {
        if (!Files.exists(file)) return;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            long size = raf.length();
            if (size < offset || (fileKey != null && key != null && !key.equals(fileKey))) {
                // Truncated or replaced by a new file: start over.
                offset = 0;
                partial.reset();
            }
            fileKey = key;
            if (size == offset) return;
            raf.seek(offset);
            byte[] buf = new byte[(int) Math.min(size - offset, 1 << 20)];
            raf.readFully(buf);
            offset += buf.length;
            for (byte b : buf) {
                if (b != '\n') {
                    partial.write(b);
                    continue;
                }
                String line = partial.toString(StandardCharsets.UTF_8).replace("\r", "");
                partial.reset();
                pending.add(line);
                history.add(line);
            }
        } catch (IOException e) {
            // The file may be mid-rotation; the next poll retries.
        }
    }

    /** No matching line arrived in time; the message carries the console's last lines. */
    public static final class ConsoleTimeoutException extends RuntimeException {
        public ConsoleTimeoutException(String message) {
            super(message);
        }
    }
}
