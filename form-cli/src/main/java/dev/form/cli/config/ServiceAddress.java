package dev.form.cli.config;

import dev.form.cli.CliFailure;

import java.net.URI;
import java.net.URISyntaxException;

/** Where the service is: {@code --host}, then FORM_HOST, then the config's hosts[0] with vmm_port. */
public final class ServiceAddress {
    public static final String ENV_HOST = "FORM_HOST";

    private ServiceAddress() {
    }

    /**
     * @param flag   --host, or null
     * @param env    FORM_HOST, or null
     * @param config the CLI configuration
     * @return scheme://host:port, without a path
     */
    public static URI resolve(String flag, String env, CliConfig config) {
        int port = config.vmmPort() != null ? config.vmmPort() : CliConfig.DEFAULT_VMM_PORT;
        if (flag != null) return parse(flag, port, "--host");
        if (env != null) return parse(env, port, ENV_HOST);
        if (config.hosts() != null && !config.hosts().isEmpty()) return parse(config.hosts().get(0), port, "config hosts[0]");
        return URI.create("http://127.0.0.1:" + port);
    }

    static URI parse(String text, int defaultPort, String source) {
        String t = text.trim();
        // A bare IPv6 address (two or more colons, no brackets) needs brackets to be a URL authority.
        if (!t.contains("://") && !t.contains("[") && t.indexOf(':') != t.lastIndexOf(':')) t = "[" + t + "]";
        String withScheme = t.contains("://") ? t : "http://" + t;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw bad(text, source);
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())))
            throw bad(text, source);
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
            throw CliFailure.usage(source + " '" + text + "' has a path: give only scheme, host and port",
                    "e.g. --host http://10.0.0.5:3002");
        int port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost();
        return URI.create(uri.getScheme() + "://" + host + ":" + port);
    }

    private static CliFailure bad(String text, String source) {
        return CliFailure.usage(source + " '" + text + "' is not a service address",
                "use a URL such as http://127.0.0.1:3002, or host[:port]");
    }
}
