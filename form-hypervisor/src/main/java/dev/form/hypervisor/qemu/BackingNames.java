package dev.form.hypervisor.qemu;

import dev.form.hypervisor.HypervisorException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The QEMU objects behind one device, all named from the device id so that they can be found
 * again without any memory of ours: after a crash between blockdev-add and device_add, the node
 * named for a device that QEMU does not list is an orphan and can be released.
 *
 * <p>QEMU limits block node names to 31 characters; a device id too long for that gets a node
 * prefix made of a hash of the id, still a pure function of the id.
 *
 * @param deviceId      the qdev id of the device
 * @param fileNode      the protocol (file) node of a disk
 * @param formatNode    the format (raw, qcow2, vhdx) node on top of it
 * @param throttleNode  the throttle filter on top of the format node, used only with rate limits
 * @param throttleGroup the throttle-group object the filter draws from
 * @param chardev       the vhost-user socket chardev of a virtio-fs device
 */
public record BackingNames(String deviceId, String fileNode, String formatNode, String throttleNode,
                           String throttleGroup, String chardev) {

    static final String FILE = "-file";
    static final String FORMAT = "-fmt";
    static final String THROTTLE = "-thr";
    static final String GROUP = "-tg";
    static final String CHARDEV = "-chr";
    /** QEMU's BLOCK_NODE_NAME limit is 32 bytes including the terminating NUL. */
    static final int MAX_NODE_NAME = 31;

    private static final Pattern QEMU_ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

    public static BackingNames of(String deviceId) {
        String prefix = deviceId.length() + FILE.length() <= MAX_NODE_NAME ? deviceId : "n" + shortHash(deviceId);
        return new BackingNames(deviceId, prefix + FILE, prefix + FORMAT, prefix + THROTTLE,
                deviceId + GROUP, deviceId + CHARDEV);
    }

    /** The root of the block graph a disk's device reads from: the throttle filter when there is one. */
    public String blockRoot(boolean throttled) {
        return throttled ? throttleNode : formatNode;
    }

    /** True when QEMU accepts the text as a device, object or chardev id. */
    public static boolean isValidId(String id) {
        return id != null && QEMU_ID.matcher(id).matches();
    }

    /**
     * @throws HypervisorException REFUSED naming the rule when QEMU would not accept the id
     */
    public static void requireValidId(String id, String what) throws HypervisorException {
        if (!isValidId(id))
            throw new HypervisorException(HypervisorException.Kind.REFUSED,
                    what + " '" + id + "' is not a valid QEMU id: it must start with a letter and contain only letters, digits, '-', '.' and '_'");
    }

    private static String shortHash(String id) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
