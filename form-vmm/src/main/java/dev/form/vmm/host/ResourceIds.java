package dev.form.vmm.host;

import dev.form.core.model.ResourceKind;
import dev.form.vmm.ApiProblem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.Collection;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource ids, virtio-fs tags and disk serials.
 *
 * <p><b>Ids.</b> A given id ({@code diskId}, {@code fsId}, {@code deviceId}) must match
 * {@code [a-z][a-z0-9_.-]{0,30}}: QEMU's id rule is a letter followed by letters, digits, '-', '.' and '_', and Cloud
 * Hypervisor only forbids a leading "__" and ids it generates itself ("_disk3"), so this is inside both. Generated ids
 * start with an upper-case letter — {@code Disk1}, {@code Fs1}, {@code Dev1} — which QEMU accepts and the given-id rule
 * forbids, so the two can never collide. Ids are unique per VM; the caller passes every id in use, including ids the
 * hypervisor still lists for devices being removed, so an id is never reused while its old device exists.
 *
 * <p><b>Tags.</b> 1–36 bytes of UTF-8 (Cloud Hypervisor silently truncates longer tags), no control or invisible
 * formatting characters, NFC, unique per VM.
 *
 * <p><b>Serials.</b> At most 20 bytes (VIRTIO_BLK_ID_BYTES) of {@code [A-Za-z0-9_.:-]}, so the guest's udev gives a
 * clean {@code /dev/disk/by-id/virtio-<serial>}; by default the disk id itself when it fits, else its first 11
 * characters, '-' and 8 hex digits of its SHA-256 (still unique per id). Unique per VM.
 */
public final class ResourceIds {

    /** The rule for given ids. */
    public static final Pattern GIVEN_ID = Pattern.compile("[a-z][a-z0-9_.-]{0,30}");
    /** The shape of generated ids. */
    public static final Pattern GENERATED_ID = Pattern.compile("(Disk|Fs|Dev)([1-9][0-9]{0,8})");
    public static final int MAX_TAG_BYTES = 36;
    public static final int MAX_SERIAL_BYTES = 20;
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_.:-]{1,20}");

    private ResourceIds() {
    }

    /** Checks a given id's spelling ({@code invalid_input} on {@code field}). */
    public static String requireGivenId(String field, String id) {
        if (id == null || id.isEmpty()) throw ApiProblem.invalid(field, field + " must not be empty");
        if (!GIVEN_ID.matcher(id).matches()) {
            throw ApiProblem.invalid(field, "'" + PciAddress.printable(id) + "' is not a valid " + field
                            + ": ids are 1-31 characters, a lower-case letter then lower-case letters, digits, '_', '.' or '-'",
                    "e.g. data1 or cache-disk, or leave it out to get a generated id");
        }
        return id;
    }

    /** True for ids {@link #generate} makes. */
    public static boolean isGenerated(String id) {
        return id != null && GENERATED_ID.matcher(id).matches();
    }

    /**
     * A new id for {@code kind}: the prefix ({@code Disk}, {@code Fs}, {@code Dev}) and one more than the highest
     * number with that prefix among {@code inUse}.
     */
    public static String generate(ResourceKind kind, Collection<String> inUse) {
        String prefix = prefix(kind);
        long highest = 0;
        for (String id : inUse) {
            Matcher m = GENERATED_ID.matcher(id);
            if (m.matches() && m.group(1).equals(prefix)) highest = Math.max(highest, Long.parseLong(m.group(2)));
        }
        return prefix + (highest + 1);
    }

    /**
     * The id a new resource gets: {@code given} after {@link #requireGivenId} and a uniqueness check
     * ({@code conflict}), or a generated one.
     *
     * @param inUse every id of the VM: recorded resources and devices the hypervisor still lists
     */
    public static String choose(String field, ResourceKind kind, String given, Collection<String> inUse) {
        if (given == null) return generate(kind, inUse);
        requireGivenId(field, given);
        if (inUse.contains(given)) {
            throw ApiProblem.conflict(field, "the instance already has a device with id '" + given
                    + "' (or the hypervisor still lists one being removed); ids are unique per VM");
        }
        return given;
    }

    /** Checks a virtio-fs tag and its uniqueness among the VM's tags. */
    public static String requireTag(String field, String tag, Collection<String> tagsInUse) {
        if (tag == null || tag.isEmpty()) throw ApiProblem.invalid(field, field + " is required (the name the guest mounts)");
        tag.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw ApiProblem.invalid(field, field + " contains " + String.format("U+%04X", cp)
                        + "; control and invisible formatting characters are refused in tags");
            }
        });
        if (!Normalizer.isNormalized(tag, Normalizer.Form.NFC)) {
            throw ApiProblem.invalid(field, field + " is not in Unicode normalization form C", "send the NFC form");
        }
        int bytes = tag.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TAG_BYTES) {
            throw ApiProblem.invalid(field, field + " is " + bytes + " bytes of UTF-8; virtio-fs tags are at most "
                    + MAX_TAG_BYTES + " bytes");
        }
        if (tagsInUse.contains(tag)) {
            throw ApiProblem.conflict(field, "the instance already has a share tagged '" + tag + "'; tags are unique per VM");
        }
        return tag;
    }

    /**
     * The serial a disk gets: {@code given} when it follows the serial rule, else the default for {@code id}; either
     * way unique among {@code serialsInUse} ({@code conflict} on {@code field}).
     */
    public static String serial(String field, String given, String id, Collection<String> serialsInUse) {
        String serial;
        if (given != null) {
            if (!SERIAL.matcher(given).matches()) {
                throw ApiProblem.invalid(field, "'" + PciAddress.printable(given) + "' is not a valid " + field
                        + ": 1-20 characters of letters, digits, '_', '.', ':' or '-' (the guest sees it as "
                        + "/dev/disk/by-id/virtio-<serial>)");
            }
            serial = given;
        } else {
            serial = defaultSerial(id);
        }
        if (serialsInUse.contains(serial)) {
            throw ApiProblem.conflict(field, "the instance already has a disk with serial '" + serial
                    + "'; serials are unique per VM");
        }
        return serial;
    }

    /** The serial derived from a disk id (see the class comment). */
    public static String defaultSerial(String id) {
        if (id.getBytes(StandardCharsets.UTF_8).length <= MAX_SERIAL_BYTES && SERIAL.matcher(id).matches()) return id;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            String head = id.replaceAll("[^A-Za-z0-9_.:-]", "_");
            head = head.substring(0, Math.min(11, head.length()));
            return head + "-" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }

    private static String prefix(ResourceKind kind) {
        return switch (kind) {
            case DISK -> "Disk";
            case FS -> "Fs";
            case DEVICE -> "Dev";
        };
    }
}
