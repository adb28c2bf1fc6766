package dev.form.bench.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of a Linux process, from /proc/PID/status (VmRSS). */
final class Rss {
    private Rss() {
    }

    static long ofPid(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                String kb = line.substring(6).trim();
                return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
            }
        }
        throw new IOException("/proc/" + pid + "/status has no VmRSS line");
    }
}
