package dev.form.hypervisor.cloudhypervisor.http;

/**
 * Upper bounds on what one response may occupy, so a confused or hostile peer cannot make the
 * client buffer without end.
 *
 * @param maxHeaderBytes status line plus headers plus the blank line
 * @param maxBodyBytes   the largest Content-Length accepted
 */
public record ResponseLimits(int maxHeaderBytes, int maxBodyBytes) {

    /** 16 KiB of headers (the server sends about 120 bytes); 8 MiB of body (a vm.info of a big VM is tens of KiB). */
    public static final ResponseLimits DEFAULT = new ResponseLimits(16 * 1024, 8 * 1024 * 1024);

    public ResponseLimits {
        if (maxHeaderBytes < 64) throw new IllegalArgumentException("maxHeaderBytes must be at least 64");
        if (maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes must not be negative");
    }
}
