package dev.form.testkit.chsim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Cloud Hypervisor's side of vhost-user: it is the client and, while the backend's socket is absent or
 * refuses, retries every 100 ms until the wait runs out. The connection stays open for the device's life.
 */
final class VhostUserConnector {
    static final Duration RETRY = Duration.ofMillis(100);

    private VhostUserConnector() {
    }

    /** @return the open connection, or null when the wait ran out */
    static SocketChannel connect(Path socket, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
            }
            if (System.nanoTime() >= deadline) return null;
            Thread.sleep(Math.min(RETRY.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a vhost-user connection has no failure the simulator could act on
        }
    }
}
