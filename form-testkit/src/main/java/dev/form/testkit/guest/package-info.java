/**
 * form's test guest: a Debian cloud kernel and a busybox initramfs built from Debian packages without
 * installing them ({@link dev.form.testkit.guest.TestGuest}), whose /init reports on the serial console
 * every disk, share, removal and resource change it sees, as {@code FORM-GUEST ...} marker lines
 * ({@link dev.form.testkit.guest.GuestLine}) that tests await with {@link dev.form.testkit.guest.GuestConsole}.
 *
 * <p>From a shell: {@code java -cp form-testkit/target/classes dev.form.testkit.guest.TestGuest share1}
 * prints {@code FORM_GUEST_KERNEL=...}, {@code FORM_GUEST_INITRAMFS=...} and {@code FORM_GUEST_CMDLINE=...}.
 */
package dev.form.testkit.guest;
