package dev.form.hypervisor.cloudhypervisor.model;

/** Where a serial port or virtio console goes, spelled as on the wire. */
public enum ConsoleMode {
    Off, Pty, Tty, File, Socket, Null
}
