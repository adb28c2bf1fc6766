package dev.form.core.model;

/**
 * A virtio-fs share as the driver attaches it: the virtiofsd serving it is already running and
 * listening on {@code socketPath}.
 */
public record FsSpec(String id, String tag, String socketPath, Integer numQueues, Integer queueSize) {
}
