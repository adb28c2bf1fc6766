package dev.form.vmm.host;

import dev.form.vmm.ApiProblem;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Turns a requested path into the canonical path the kernel would reach, then keeps it inside allowed roots.
 *
 * <p>The walk follows the kernel's rules rather than {@link Path#normalize()}: a symlink is resolved before a
 * following {@code ..} is applied (so {@code link/..} is the parent of the link's <em>target</em>), and every
 * intermediate step — not just the result — is checked against the kernel pseudo-filesystems /proc, /dev and
 * /sys, so {@code /proc/self/root/...} or a symlink into /dev is refused even when it would land somewhere
 * harmless. The non-existing tail of a path is kept as written; a {@code ..} inside that tail is refused because
 * its meaning would depend on directories created later.
 *
 * <p>The check and the later use are separate system calls, so a directory writable by an attacker inside an
 * allowed root could still be raced; allowed roots are meant to be owned by the service (0700 data dir).
 */
final class PathConfinement {

    /** Kernel pseudo-filesystems never used as image, share or socket locations. */
    static final List<Path> PSEUDO_ROOTS = List.of(Path.of("/proc"), Path.of("/dev"), Path.of("/sys"));

    /** File system types of such pseudo-filesystems, wherever they are mounted. */
    private static final Set<String> PSEUDO_TYPES = Set.of("proc", "sysfs", "devtmpfs", "devpts", "debugfs",
            "tracefs", "securityfs", "cgroup", "cgroup2", "bpf", "configfs", "fusectl", "efivarfs", "pstore",
            "mqueue", "binfmt_misc", "autofs", "rpc_pipefs", "nsfs");

    private static final int MAX_SYMLINKS = 40; // the kernel's own limit (ELOOP)

    /** A canonical path and what it names now. */
    record Resolved(Path path, FileKind kind) {
        boolean exists() {
            return kind != FileKind.MISSING;
        }
    }

    private PathConfinement() {
    }

    /**
     * Canonicalizes {@code requested} (already spell-checked; relative paths resolve against {@code base}) and
     * refuses any step through a pseudo-filesystem.
     */
    static Resolved resolve(String field, String requested, Path base) {
        Walk w = walk(field, requested, base);
        refusePseudoMount(field, requested, w.resolved().exists() ? w.resolved().path() : w.lastExisting());
        return w.resolved();
    }

    /** The canonical path and the deepest directory of it that exists. */
    private record Walk(Resolved resolved, Path lastExisting) {
    }

    private static Walk walk(String field, String requested, Path base) {
        Path start = Path.of(requested);
        if (!start.isAbsolute()) start = base.resolve(start);
        refusePseudo(field, requested, start.normalize());
        Deque<String> todo = new ArrayDeque<>();
        pushFront(todo, start);
        Path current = Path.of("/");
        boolean missing = false;
        Path lastExisting = current;
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.isEmpty() || name.equals(".")) continue;
            if (name.equals("..")) {
                if (missing) {
                    throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "' uses '..' after "
                            + current + ", which does not exist", "write the path without '..'");
                }
                Path parent = current.getParent();
                if (parent != null) current = parent;
                continue;
            }
            Path next = current.resolve(name);
            if (missing) {
                current = next;
                continue;
            }
            refusePseudo(field, requested, next);
            FileKind kind = kindOf(field, requested, next);
            if (kind == FileKind.MISSING) {
                missing = true;
                lastExisting = current;
                current = next;
                continue;
            }
            if (kind == FileKind.SYMLINK) {
                if (++links > MAX_SYMLINKS) {
                    throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested)
                            + "' goes through more than " + MAX_SYMLINKS + " symbolic links (a loop?)");
                }
                Path target = readLink(field, requested, next);
                if (target.isAbsolute()) current = Path.of("/");
                pushFront(todo, target);
                continue;
            }
            if (!todo.isEmpty() && kind != FileKind.DIRECTORY) { // even "file/." is ENOTDIR for the kernel
                throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "' continues below " + next
                        + ", which is " + kind.description() + ", not a directory");
            }
            current = next;
        }
        FileKind finalKind = missing ? FileKind.MISSING : kindOf(field, requested, current);
        return new Walk(new Resolved(current, finalKind), missing ? lastExisting : current);
    }

    /**
     * Canonical form of a configured root; never refuses (roots come from the administrator), so it does
     * not ask what file system the root is on either.
     */
    static Path canonicalRoot(Path root) {
        try {
            return walk("config", root.toString(), Path.of("/")).resolved().path();
        } catch (ApiProblem e) {
            return root.toAbsolutePath().normalize();
        }
    }

    /** True when {@code p} lies strictly below one of {@code roots} (all canonical). */
    static boolean strictlyInside(Path p, List<Path> roots) {
        for (Path root : roots) {
            if (p.startsWith(root) && !p.equals(root)) return true;
        }
        return false;
    }

    static boolean underPseudo(Path p) {
        for (Path root : PSEUDO_ROOTS) if (p.startsWith(root)) return true;
        return false;
    }

    private static void refusePseudo(String field, String requested, Path step) {
        if (underPseudo(step)) {
            throw ApiProblem.policyDenied(field, "'" + PciAddress.printable(requested) + "' reaches " + step
                            + ": /proc, /dev and /sys are kernel pseudo-filesystems and never allowed",
                    "use a file inside the directories the host policy allows");
        }
    }

    private static void refusePseudoMount(String field, String requested, Path p) {
        String type;
        try {
            type = MountTypes.of(p).orElse(null);
        } catch (IOException | UnsupportedOperationException e) {
            return; // the file system type is only a second line of defence; the path checks already passed
        }
        if (type != null && PSEUDO_TYPES.contains(type)) {
            throw ApiProblem.policyDenied(field, "'" + PciAddress.printable(requested) + "' lies on a " + type
                    + " file system, a kernel pseudo-filesystem that is never allowed", null);
        }
    }

    private static FileKind kindOf(String field, String requested, Path p) {
        try {
            return FileKind.of(p);
        } catch (AccessDeniedException e) {
            throw ApiProblem.policyDenied(field, "'" + PciAddress.printable(requested) + "': the service may not look at "
                    + p + " (permission denied)", null);
        } catch (IOException e) {
            throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "': cannot inspect " + p + ": "
                    + e.getMessage());
        }
    }

    private static Path readLink(String field, String requested, Path link) {
        try {
            return Files.readSymbolicLink(link);
        } catch (IOException e) {
            throw ApiProblem.invalid(field, "'" + PciAddress.printable(requested) + "': cannot read symbolic link "
                    + link + ": " + e.getMessage());
        }
    }

    private static void pushFront(Deque<String> todo, Path p) {
        for (int i = p.getNameCount() - 1; i >= 0; i--) todo.addFirst(p.getName(i).toString());
    }
}
