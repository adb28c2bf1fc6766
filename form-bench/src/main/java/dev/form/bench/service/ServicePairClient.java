package dev.form.bench.service;

import dev.form.core.api.AddDiskRequest;
import dev.form.core.api.Json;
import dev.form.core.keys.Credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client of the service: sends pre-signed add and remove requests over one kept-alive connection
 * and checks each answer (201 for the add; 200 with the resource removed for the remove). Pair k goes
 * to the client's instance k mod (its instance count) and adds disk {@code b<client>x<k>} from that
 * instance's own image.
 */
final class ServicePairClient implements PairClient {
    private final RawHttpConnection connection;
    private final Credentials key;
    private final String hostPort;
    private final List<Integer> instances;
    private final int client;
    private final Map<Integer, PreparedRequest> adds = new HashMap<>();
    private final Map<Integer, PreparedRequest> removes = new HashMap<>();

    ServicePairClient(int client, String host, int port, Credentials key, List<Integer> instances) {
        this.client = client;
        this.connection = new RawHttpConnection(host, port);
        this.key = key;
        this.hostPort = host + ":" + port;
        this.instances = instances;
    }

    /** Signs pairs {@code from .. from+count-1} (each request with its own nonce); call before the clock starts. */
    void sign(int from, int count, Duration ttl) {
        for (int k = from; k < from + count; k++) {
            int inst = instances.get(k % instances.size());
            String id = DriverPairClient.diskId(client, k);
            String base = "/v1/instances/bench-" + inst;
            byte[] body;
            try {
                body = Json.mapper().writeValueAsBytes(new AddDiskRequest(id, "bench-" + inst + ".raw",
                        null, null, null, null, null, null, null, null, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            adds.put(k, PreparedRequest.sign(key, hostPort, "POST", base + "/disks", body, ttl));
            removes.put(k, PreparedRequest.sign(key, hostPort, "DELETE", base + "/resources/" + id, new byte[0], ttl));
        }
    }

    @Override
    public void add(int k) throws IOException {
        PreparedRequest r = adds.remove(k);
        if (r == null) throw new IllegalStateException("pair " + k + " was not signed");
        RawHttpConnection.Reply reply = connection.exchange(r);
        if (reply.status() != 201) throw new IOException(r.method() + " " + r.target() + " -> " + reply.status() + " " + reply.text());
    }

    @Override
    public void remove(int k) throws IOException {
        PreparedRequest r = removes.remove(k);
        if (r == null) throw new IllegalStateException("pair " + k + " was not signed");
        RawHttpConnection.Reply reply = connection.exchange(r);
        if (reply.status() != 200 || !reply.text().contains("\"removed\"")) {
            throw new IOException(r.method() + " " + r.target() + " -> " + reply.status() + " " + reply.text());
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
