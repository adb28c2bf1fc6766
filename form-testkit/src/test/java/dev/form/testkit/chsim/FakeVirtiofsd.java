package dev.form.testkit.chsim;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listening end of a vhost-user socket, as virtiofsd offers it: accepts connections and notes
 * when each is closed by the VMM. A real socket and real connections, not a mock of the simulator.
 */
final class FakeVirtiofsd implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path path;
    final List<SocketChannel> accepted = new CopyOnWriteArrayList<>();
    final List<SocketChannel> closedByPeer = new CopyOnWriteArrayList<>();

    private FakeVirtiofsd(Path path) throws IOException {
        this.path = path;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread.ofVirtual().start(this::acceptLoop);
    }

    static FakeVirtiofsd listen(Path path) throws IOException {
        return new FakeVirtiofsd(path);
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel c = server.accept();
                accepted.add(c);
                Thread.ofVirtual().start(() -> {
                    try {
                        if (c.read(ByteBuffer.allocate(64)) < 0) closedByPeer.add(c);
                    } catch (IOException e) {
                        closedByPeer.add(c);
                    }
                });
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : accepted) c.close();
        Files.deleteIfExists(path);
    }
}
