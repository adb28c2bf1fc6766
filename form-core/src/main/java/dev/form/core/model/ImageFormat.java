package dev.form.core.model;

/** Disk image formats that form detects by magic and always names explicitly to the hypervisor. */
public enum ImageFormat {
    RAW, QCOW2, VHDX
}
