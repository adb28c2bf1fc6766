package dev.form.hypervisor.cloudhypervisor.model;

/** How Cloud Hypervisor locks a disk image: a byte range (default) or the whole file (some NFS setups need it). */
public enum LockGranularity {
    ByteRange, Full
}
