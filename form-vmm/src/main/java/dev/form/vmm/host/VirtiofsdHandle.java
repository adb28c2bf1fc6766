package dev.form.vmm.host;

import java.nio.file.Path;

/**
 * A virtiofsd the service supervises: enough to find it again after a service restart (record {@code pid} and
 * {@code socket} durably, then {@link VirtiofsdSupervisor#adopt(long, Path)}).
 *
 * @param name    the supervisor's name for it (socket and pid file are named after it, see
 *                {@link VirtiofsdSupervisor#socketOf})
 * @param pid     process id of the daemon
 * @param socket  absolute path of its vhost-user socket (give this to the hypervisor)
 * @param pidFile the pid file next to the socket
 * @param source  the shared directory
 * @param logFile where its stdout and stderr go
 */
public record VirtiofsdHandle(String name, long pid, Path socket, Path pidFile, Path source, Path logFile) {
}
