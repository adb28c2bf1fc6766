package dev.form.hypervisor.cloudhypervisor.model;

/**
 * Cloud Hypervisor's disk image types, spelled as on the wire. {@code FlatVmdk} is accepted and
 * reported by the server although the OpenAPI spec omits it; {@code Unknown} asks the server to
 * detect the type, which this driver never does (an autodetected raw image refuses writes to
 * sector 0).
 */
public enum ImageType {
    FixedVhd, Qcow2, Raw, Vhdx, FlatVmdk, Unknown
}
