package dev.form.cli;

/** The form command's entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code = FormCli.run(CliContext.system(), args);
        // A successful run ends by returning from main rather than by System.exit: Runtime.exit first asks the
        // platform logging for a System.Logger, and finding its backend scans the class path, which reads the
        // directory of every jar on it only to exit (20-30 ms of every run when the one jar had 16,000 entries).
        // Returning ends the JVM with status 0 the same way, shutdown hooks included, as long as no other
        // non-daemon thread is left to keep it alive; when one is (or on failure), exit as before.
        if (code == 0 && noOtherLiveThreads()) return;
        System.exit(code);
    }

    private static boolean noOtherLiveThreads() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        while (group.getParent() != null) group = group.getParent();
        Thread[] threads = new Thread[group.activeCount() + 16];
        int count = group.enumerate(threads, true);
        if (count == threads.length) return false; // more than fit: do not guess
        for (int i = 0; i < count; i++) {
            Thread t = threads[i];
            if (t != Thread.currentThread() && t.isAlive() && !t.isDaemon()) return false;
        }
        return true;
    }
}
