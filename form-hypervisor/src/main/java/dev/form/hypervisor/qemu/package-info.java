/**
 * The QEMU driver: q35 VMs driven over QMP, for hosts without usable KVM (TCG) as well as with it.
 *
 * <p>How it stays recoverable without memory of its own:
 * <ul>
 *   <li>Every PCI device, boot-time or hot-added, sits alone under a pcie-root-port ({@code rp1}, {@code rp2}...);
 *       a port is free when query-pci shows nothing under it.</li>
 *   <li>Whatever backs a device is named from the device id ({@link dev.form.hypervisor.qemu.BackingNames}):
 *       {@code <id>-fmt} over {@code <id>-file}, {@code <id>-thr} and {@code <id>-tg} with rate limits,
 *       {@code <id>-chr} for a virtio-fs chardev. After a crash between blockdev-add and device_add, the
 *       leftover is found by name ({@link dev.form.hypervisor.qemu.QemuVm#inventory()}) and released
 *       ({@link dev.form.hypervisor.qemu.QemuVm#releaseOrphanedBackends()}), and a retried add of the same id
 *       releases it by itself.</li>
 *   <li>The QEMU process runs in its own session with its output in {@code <runDir>/qemu.log}, its pid in
 *       {@code qemu.pid} and QMP on {@code qmp.sock}, so a restarted service re-attaches from the endpoint.</li>
 * </ul>
 */
package dev.form.hypervisor.qemu;
