package dev.form.core.model;

/**
 * A disk as the hypervisor driver attaches it: everything already validated and resolved by the
 * service (absolute host path, detected format, explicit id).
 *
 * @param numQueues  null for the hypervisor's default (1)
 * @param queueSize  null for the hypervisor's default (128)
 * @param bandwidth  null for unlimited
 * @param ops        null for unlimited
 */
public record DiskSpec(String id, String path, ImageFormat format, boolean readonly, boolean direct,
                       boolean iommu, String serial, Integer numQueues, Integer queueSize,
                       RateLimit bandwidth, RateLimit ops) {
}
