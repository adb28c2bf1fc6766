package dev.form.testkit.chspec;

/**
 * The known differences between Cloud Hypervisor's OpenAPI spec and what its server accepts
 * (api-notes §4), each handled by one named adjustment of the spec's schemas. Most are allowances
 * (the server accepts more than the spec says); {@link #REMOVE_DEVICE_ID_REQUIRED} is a tightening
 * (the server requires more than the spec says).
 */
public enum SpecGap {
    /**
     * §4.7: FsConfig lists {@code num_queues} and {@code queue_size} as required, but the server defaults
     * them (1 and 1024); a minimal {@code {"tag","socket"}} is valid for the server.
     */
    FS_QUEUE_FIELDS_DEFAULTED,
    /** §4.5: TokenBucket's {@code one_time_burst} is an Option and may be sent as null. */
    NULLABLE_TOKEN_BUCKET_BURST,
    /** §4.5: ch-remote sends {@code "ops":null} / {@code "bandwidth":null} in RateLimiterConfig
     * (applied after {@link #NULLABLE_TOKEN_BUCKET_BURST}: it copies the TokenBucket schema). */
    NULLABLE_RATE_LIMITER_BUCKETS,
    /** §4.5: ch-remote's resize sends {@code "desired_balloon":null} (any VmResize field may be null). */
    NULLABLE_RESIZE_FIELDS,
    /** §4.6: the ImageType enum lacks {@code FlatVmdk}, which the server accepts and reports. */
    IMAGE_TYPE_FLAT_VMDK,
    /**
     * §4.6: DiskConfig's undocumented test knobs {@code disable_io_uring} / {@code disable_aio}, sent by
     * ch-remote, are described as booleans (the spec would accept any type, as it never forbids extra
     * properties; this makes a wrongly typed value a violation, as it is for the server).
     */
    DISK_TEST_KNOBS_DOCUMENTED,
    /** §4.7: the server requires {@code VmRemoveDevice.id} (serde 400 without it); the spec does not. */
    REMOVE_DEVICE_ID_REQUIRED
}
