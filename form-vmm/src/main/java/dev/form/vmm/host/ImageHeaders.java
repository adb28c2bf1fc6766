package dev.form.vmm.host;

import dev.form.core.model.ImageFormat;
import dev.form.vmm.ApiProblem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the few header fields form needs from qcow2 and VHDX images (layouts from the QEMU qcow2 specification
 * and Microsoft's VHDX format specification); anything else is raw.
 */
final class ImageHeaders {

    /**
     * Format, guest-visible size and (qcow2) the backing file name and backing format as written in the header.
     *
     * @param foreignFormat for a file form calls raw: the name of a QEMU format whose magic it carries and that
     *                      refers to other files (vmdk, qed), or null
     */
    record Header(ImageFormat format, long virtualSize, String backingName, String backingFormat, String foreignFormat) {
    }

    private static final int QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"
    private static final long QCOW2_INCOMPAT_CORRUPT = 1L << 1;
    private static final long QCOW2_INCOMPAT_DATA_FILE = 1L << 2;
    private static final int QCOW2_MAX_BACKING_NAME = 1023;
    private static final int QCOW2_EXT_BACKING_FORMAT = 0xe2792aca;
    private static final int VMDK_SPARSE_MAGIC = 0x4b444d56; // "KDMV"
    private static final byte[] VMDK_DESCRIPTOR = "# Disk DescriptorFile".getBytes(StandardCharsets.US_ASCII);
    private static final int QED_MAGIC = 0x51454400; // "QED\0"
    private static final byte[] VHDX_SIGNATURE = "vhdxfile".getBytes(StandardCharsets.US_ASCII);
    private static final long VHDX_REGION_TABLE = 192 * 1024;
    private static final byte[] VHDX_METADATA_REGION = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static final byte[] VHDX_VIRTUAL_DISK_SIZE = guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    private static final byte[] VHDX_FILE_PARAMETERS = guid("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");

    private ImageHeaders() {
    }

    static Header read(String field, FileChannel ch, String shown) throws IOException {
        long fileSize = ch.size();
        ByteBuffer head = readAt(ch, 0, (int) Math.min(fileSize, 512), ByteOrder.BIG_ENDIAN);
        if (head.limit() >= 4 && head.getInt(0) == QCOW2_MAGIC) return qcow2(field, ch, head, fileSize, shown);
        if (head.limit() >= 8 && Arrays.equals(bytes(head, 0, 8), VHDX_SIGNATURE)) return vhdx(field, ch, shown);
        return new Header(ImageFormat.RAW, fileSize, null, null, foreignFormat(head));
    }

    private static Header qcow2(String field, FileChannel ch, ByteBuffer h, long fileSize, String shown) throws IOException {
        if (h.limit() < 72) throw bad(field, shown, "qcow2 header is truncated");
        int version = h.getInt(4);
        if (version != 2 && version != 3) throw bad(field, shown, "qcow2 version " + version + " is not supported (2 or 3)");
        long backingOffset = h.getLong(8);
        int backingSize = h.getInt(16);
        long size = h.getLong(24);
        int cryptMethod = h.getInt(32);
        if (size < 0) throw bad(field, shown, "qcow2 virtual size is out of range");
        if (cryptMethod != 0) {
            throw ApiProblem.invalid(field, shown + " is an encrypted qcow2 image; encrypted images are not supported");
        }
        if (version == 3) {
            if (h.limit() < 104) throw bad(field, shown, "qcow2 v3 header is truncated");
            long incompatible = h.getLong(72);
            if ((incompatible & QCOW2_INCOMPAT_CORRUPT) != 0) {
                throw ApiProblem.invalid(field, shown + " is a qcow2 image marked corrupt", "repair it with qemu-img check -r all");
            }
            if ((incompatible & QCOW2_INCOMPAT_DATA_FILE) != 0) {
                throw ApiProblem.policyDenied(field, shown + " is a qcow2 image with an external data file; such images "
                        + "name a second file outside this check and are not accepted", "convert it with qemu-img convert");
            }
        }
        String backing = null;
        if (backingOffset != 0 && backingSize != 0) {
            if (backingSize < 0 || backingSize > QCOW2_MAX_BACKING_NAME) {
                throw bad(field, shown, "qcow2 backing file name length " + backingSize + " is out of range");
            }
            if (backingOffset < 0 || backingOffset + backingSize > fileSize) {
                throw bad(field, shown, "qcow2 backing file name lies outside the file");
            }
            ByteBuffer name = readAt(ch, backingOffset, backingSize, ByteOrder.BIG_ENDIAN);
            if (name.limit() != backingSize) throw bad(field, shown, "qcow2 backing file name is truncated");
            backing = StandardCharsets.UTF_8.newDecoder().decode(name).toString();
        }
        int extensionsAt = version == 2 ? 72 : h.getInt(100);
        String backingFormat = backing == null ? null : backingFormat(ch, extensionsAt, h.getInt(20), fileSize);
        return new Header(ImageFormat.QCOW2, size, backing, backingFormat, null);
    }

    /** The backing format header extension, if present (extensions follow the header, within the first cluster). */
    private static String backingFormat(FileChannel ch, int offset, int clusterBits, long fileSize) throws IOException {
        if (offset < 72 || clusterBits < 9 || clusterBits > 21) return null;
        long end = Math.min(1L << clusterBits, fileSize);
        long at = offset;
        for (int i = 0; i < 64 && at + 8 <= end; i++) {
            ByteBuffer ext = readAt(ch, at, 8, ByteOrder.BIG_ENDIAN);
            if (ext.limit() < 8) return null;
            int type = ext.getInt(0);
            long length = Integer.toUnsignedLong(ext.getInt(4));
            if (type == 0 || at + 8 + length > end) return null;
            if (type == QCOW2_EXT_BACKING_FORMAT) {
                ByteBuffer name = readAt(ch, at + 8, (int) length, ByteOrder.BIG_ENDIAN);
                return StandardCharsets.US_ASCII.decode(name).toString();
            }
            at += 8 + ((length + 7) & ~7L);
        }
        return null;
    }

    private static String foreignFormat(ByteBuffer head) {
        if (head.limit() >= 4 && head.getInt(0) == VMDK_SPARSE_MAGIC) return "vmdk";
        if (head.limit() >= 4 && head.getInt(0) == QED_MAGIC) return "qed";
        if (head.limit() >= VMDK_DESCRIPTOR.length && Arrays.equals(bytes(head, 0, VMDK_DESCRIPTOR.length), VMDK_DESCRIPTOR)) {
            return "vmdk";
        }
        return null;
    }

    private static Header vhdx(String field, FileChannel ch, String shown) throws IOException {
        ByteBuffer regions = readAt(ch, VHDX_REGION_TABLE, 64 * 1024, ByteOrder.LITTLE_ENDIAN);
        if (regions.limit() < 16 || regions.getInt(0) != 0x69676572) { // "regi"
            throw bad(field, shown, "VHDX region table is missing");
        }
        int entries = regions.getInt(8);
        if (entries < 0 || entries > 2047) throw bad(field, shown, "VHDX region table has " + entries + " entries");
        long metadataOffset = -1;
        for (int i = 0; i < entries && 16 + (i + 1) * 32 <= regions.limit(); i++) {
            int at = 16 + i * 32;
            if (Arrays.equals(bytes(regions, at, 16), VHDX_METADATA_REGION)) metadataOffset = regions.getLong(at + 16);
        }
        if (metadataOffset <= 0) throw bad(field, shown, "VHDX has no metadata region");
        ByteBuffer meta = readAt(ch, metadataOffset, 64 * 1024, ByteOrder.LITTLE_ENDIAN);
        if (meta.limit() < 32 || !Arrays.equals(bytes(meta, 0, 8), "metadata".getBytes(StandardCharsets.US_ASCII))) {
            throw bad(field, shown, "VHDX metadata table is missing");
        }
        int items = Short.toUnsignedInt(meta.getShort(10));
        long virtualSize = -1;
        boolean hasParent = false;
        for (int i = 0; i < items && 32 + (i + 1) * 32 <= meta.limit(); i++) {
            int at = 32 + i * 32;
            byte[] id = bytes(meta, at, 16);
            long offset = Integer.toUnsignedLong(meta.getInt(at + 16));
            if (Arrays.equals(id, VHDX_VIRTUAL_DISK_SIZE)) {
                ByteBuffer v = readAt(ch, metadataOffset + offset, 8, ByteOrder.LITTLE_ENDIAN);
                if (v.limit() == 8) virtualSize = v.getLong(0);
            } else if (Arrays.equals(id, VHDX_FILE_PARAMETERS)) {
                ByteBuffer v = readAt(ch, metadataOffset + offset, 8, ByteOrder.LITTLE_ENDIAN);
                if (v.limit() == 8) hasParent = (v.getInt(4) & 0x2) != 0;
            }
        }
        if (virtualSize < 0) throw bad(field, shown, "VHDX metadata has no virtual disk size");
        if (hasParent) {
            throw ApiProblem.invalid(field, shown + " is a differencing VHDX (it has a parent); only standalone VHDX images"
                    + " are supported", "merge it with qemu-img convert");
        }
        return new Header(ImageFormat.VHDX, virtualSize, null, null, null);
    }

    private static ApiProblem bad(String field, String shown, String why) {
        return ApiProblem.invalid(field, shown + " is not a usable image: " + why);
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length, ByteOrder order) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) break;
        }
        b.flip();
        return b.order(order);
    }

    private static byte[] bytes(ByteBuffer b, int at, int len) {
        byte[] out = new byte[len];
        b.get(at, out);
        return out;
    }

    /** A GUID in its on-disk form: the first three fields little-endian, the last eight bytes as written. */
    static byte[] guid(String text) {
        String hex = text.replace("-", "");
        byte[] raw = new byte[16];
        for (int i = 0; i < 16; i++) raw[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        return new byte[]{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6],
                raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]};
    }
}
