/**
 * A faithful stand-in for the Cloud Hypervisor VMM's REST API (api-notes.md): HTTP/1.1 over a Unix
 * socket with micro_http's exact bytes and limits, one VM per VMM with its config, run state, device
 * tree and PCI slots, version-dependent error statuses (v52/v53/v54), hot-plug of disks, virtio-fs
 * shares and VFIO devices with the guest's delayed ejection, and a {@code main} that stands in for the
 * {@code cloud-hypervisor} executable.
 */
package dev.form.testkit.chsim;
