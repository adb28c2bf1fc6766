package dev.form.testkit.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format the Linux kernel unpacks as an initramfs. Written
 * here rather than run through the cpio tool so that device nodes (/dev/console) need no root and
 * the archive is byte-for-byte reproducible (fixed inode numbers and times).
 */
public final class CpioWriter implements AutoCloseable {

    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int nextInode = 1;
    private boolean closed;

    public CpioWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String path, int perm) throws IOException {
        entry(path, S_IFDIR | perm, 0, 0, new byte[0]);
    }

    public void file(String path, int perm, byte[] content) throws IOException {
        entry(path, S_IFREG | perm, 0, 0, content);
    }

    public void symlink(String path, String target) throws IOException {
        entry(path, S_IFLNK | 0777, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    public void charDevice(String path, int perm, int major, int minor) throws IOException {
        entry(path, S_IFCHR | perm, major, minor, new byte[0]);
    }

    private void entry(String path, int mode, int rdevMajor, int rdevMinor, byte[] data) throws IOException {
        if (closed) throw new IllegalStateException("archive already closed");
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (name.isEmpty()) throw new IllegalArgumentException("an archive entry needs a name");
        header(name, mode, nextInode++, (mode & S_IFDIR) == S_IFDIR ? 2 : 1, data.length, rdevMajor, rdevMinor);
        write(data);
        pad();
    }

    private void header(String name, int mode, int inode, int nlink, int size, int rdevMajor, int rdevMinor) throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("070701");
        for (long field : new long[]{inode, mode, 0, 0, nlink, 0, size, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0}) {
            h.append(String.format("%08x", field));
        }
        write(h.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) write(new byte[]{0});
    }

    /** Writes the trailer; the underlying stream is closed too. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        header("TRAILER!!!", 0, 0, 1, 0, 0, 0);
        closed = true;
        out.close();
    }
}
